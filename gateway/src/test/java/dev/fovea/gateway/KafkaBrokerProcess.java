package dev.fovea.gateway;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real Apache Kafka broker (KRaft, the kafka-broker module's {@code LocalKafkaBroker}) in a process of its own, on
 * fixed loopback ports so it can be stopped and started again on the same data: a broker restart as operators do
 * it. Output goes to target/NAME.log.
 */
final class KafkaBrokerProcess implements AutoCloseable {
    private final String name;
    private final Path dir;
    private final int port;
    private final int controllerPort;
    private Process process;

    private KafkaBrokerProcess(String name, Path dir, int port, int controllerPort) {
        this.name = name;
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    static KafkaBrokerProcess start(String name) throws IOException {
        Path dir = Path.of("target", name).toAbsolutePath();
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        KafkaBrokerProcess broker = new KafkaBrokerProcess(name, dir, ServiceProcess.freePort(),
                ServiceProcess.freePort());
        broker.startProcess();
        return broker;
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** SIGTERM, wait for the clean shutdown, start again on the same folder and ports. */
    void restart() throws IOException {
        stopProcess();
        startProcess();
    }

    private void startProcess() throws IOException {
        Path module = Path.of("..", "kafka-broker", "target").toAbsolutePath().normalize();
        Path jar = module.resolve("fovea-kafka-broker.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the kafka-broker module first (`mvn -q -pl "
                    + "kafka-broker package`; a reactor build orders it before the gateway)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Path.of("target").toAbsolutePath().resolve(name + ".log");
        process = new ProcessBuilder(List.of(java, "-Xmx512m", "-cp", jar + File.pathSeparator + module.resolve("lib") + "/*",
                "dev.fovea.broker.LocalKafkaBroker", "--dir", dir.toString(), "--port", Integer.toString(port),
                "--controller-port", Integer.toString(controllerPort), "--partitions", "4"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        awaitReady();
    }

    private void awaitReady() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue()
                            + "; see target/" + name + ".log");
                }
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception e) {
                    sleep(300);
                }
            }
        }
        throw new IllegalStateException(name + " was not ready after 90 s; see target/" + name + ".log");
    }

    private void stopProcess() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    @Override
    public void close() {
        stopProcess();
    }
}
