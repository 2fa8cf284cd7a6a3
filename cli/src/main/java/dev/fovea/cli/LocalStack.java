package dev.fovea.cli;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The services of a local stack as separate processes on 127.0.0.1: their command lines, pid files, logs and
 * health. State lives in one folder ({@code .fovea/} in the checkout): {@code run/NAME.pid}, {@code run/NAME.port},
 * {@code logs/NAME.log}.
 */
final class LocalStack {
    /**
     * One process of the stack; {@code heapMb} is its heap ceiling ({@code -Xmx}), the memory no request can
     * push it past (its caches and budgets are configured to fit inside).
     */
    record Component(String name, String module, int port, int heapMb, Map<String, String> properties) {
    }

    /** The system property that marks a process as a component of this stack, so a reused pid is never taken for it. */
    static final String MARKER = "-Dfovea.stack.component=";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path root;
    private final Path state;

    LocalStack(Path root) {
        this.root = root;
        this.state = root.resolve(".fovea");
    }

    /** The checkout this CLI was built in: the jar lies in cli/target/. */
    static Path checkout() {
        try {
            Path jar = Path.of(LocalStack.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = jar.getParent();
            while (dir != null && !Files.isRegularFile(dir.resolve("pom.xml"))) {
                dir = dir.getParent();
            }
            if (dir != null && dir.getFileName() != null && dir.getFileName().toString().equals("cli")) {
                dir = dir.getParent();
            }
            return dir != null ? dir : Path.of("").toAbsolutePath();
        } catch (Exception e) {
            return Path.of("").toAbsolutePath();
        }
    }

    Path state() {
        return state;
    }

    Path logs() {
        return state.resolve("logs");
    }

    Path jar(String module) {
        return root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /** Starts a component; its output goes to logs/NAME.log. */
    ProcessHandle start(Component c) throws IOException {
        Files.createDirectories(logs());
        Files.createDirectories(state.resolve("run"));
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + c.heapMb() + "m", MARKER + c.name(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + c.port()));
        c.properties().forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar(c.module()).toString());
        Path log = logs().resolve(c.name() + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        Files.writeString(state.resolve("run").resolve(c.name() + ".pid"), Long.toString(p.pid()));
        Files.writeString(state.resolve("run").resolve(c.name() + ".port"), Integer.toString(c.port()));
        return p.toHandle();
    }

    /**
     * Starts the Kafka broker (KRaft, from the kafka-broker module's class path) with its data in {@code kafka/};
     * it keeps its topics across restarts of the stack.
     */
    ProcessHandle startBroker(int port, int controllerPort) throws IOException {
        Files.createDirectories(logs());
        Files.createDirectories(state.resolve("run"));
        Path module = root.resolve("kafka-broker").resolve("target");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = List.of(java, "-Xmx512m", MARKER + BROKER, "-cp",
                module.resolve("fovea-kafka-broker.jar") + File.pathSeparator + module.resolve("lib") + "/*",
                "dev.fovea.broker.LocalKafkaBroker", "--dir", state.resolve("kafka").toString(),
                "--port", Integer.toString(port), "--controller-port", Integer.toString(controllerPort));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(logs().resolve(BROKER + ".log").toFile())).start();
        Files.writeString(state.resolve("run").resolve(BROKER + ".pid"), Long.toString(p.pid()));
        Files.writeString(state.resolve("run").resolve(BROKER + ".port"), Integer.toString(port));
        return p.toHandle();
    }

    boolean brokerBuilt() {
        Path module = root.resolve("kafka-broker").resolve("target");
        return Files.isRegularFile(module.resolve("fovea-kafka-broker.jar")) && Files.isDirectory(module.resolve("lib"));
    }

    /** The component name of the Kafka broker: checked by its port, not by HTTP health. */
    static final String BROKER = "kafka";

    /** Whether the named component is healthy: the broker accepts connections, services answer /q/health/ready. */
    static boolean healthy(String name, int port) {
        if (!BROKER.equals(name)) {
            return ready(port);
        }
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Waits until the component answers /q/health/ready with 200, or its process dies, or time runs out. The
     * answer counts only while the process this stack started is alive after it: the ports were free before the
     * start, so a live process of ours holding the port is the one that answered.
     */
    boolean awaitReady(String name, ProcessHandle process, int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            if (healthy(name, port)) {
                Thread.sleep(200); // a process that failed to bind exits at once: give it the chance to show it
                return process.isAlive();
            }
            Thread.sleep(500);
        }
        return false;
    }

    /**
     * The ports among {@code ports} (name → port) that another process holds on 127.0.0.1, as one message line
     * each; empty when all are free. A port counts as held when it cannot be bound or when something accepts a
     * connection on it.
     */
    static List<String> portsInUse(Map<String, Integer> ports) {
        List<String> held = new ArrayList<>();
        for (var e : ports.entrySet()) {
            if (inUse(e.getValue())) {
                held.add("port " + e.getValue() + " (" + e.getKey() + ") on 127.0.0.1 is in use by another process");
            }
        }
        return held;
    }

    private static boolean inUse(int port) {
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            return true;
        }
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether {@code pid} is alive and is the named component of a Fovea stack (not a process that reused the pid). */
    static boolean isOurs(long pid, String name) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        Optional<String[]> args = h.get().info().arguments();
        if (args.isEmpty()) {
            return h.get().info().commandLine().map(c -> c.contains(MARKER + name)).orElse(true); // unknowable: trust the pid file
        }
        for (String a : args.get()) {
            if (a.equals(MARKER + name)) {
                return true;
            }
        }
        return false;
    }

    static boolean ready(int port) {
        try {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** name → (pid, port) of the components with pid files. */
    Map<String, long[]> recorded() throws IOException {
        Map<String, long[]> out = new LinkedHashMap<>();
        Path run = state.resolve("run");
        if (!Files.isDirectory(run)) {
            return out;
        }
        try (var files = Files.list(run)) {
            for (Path pid : files.filter(f -> f.toString().endsWith(".pid")).sorted().toList()) {
                String name = pid.getFileName().toString().replace(".pid", "");
                long p = Long.parseLong(Files.readString(pid).trim());
                Path portFile = run.resolve(name + ".port");
                long port = Files.exists(portFile) ? Long.parseLong(Files.readString(portFile).trim()) : -1;
                out.put(name, new long[] {p, port});
            }
        }
        return out;
    }

    /** Stops every recorded component (TERM, then KILL after the grace period) and forgets it. */
    List<String> stopAll(Duration grace) throws IOException, InterruptedException {
        List<String> stopped = new ArrayList<>();
        Map<String, long[]> all = recorded();
        List<ProcessHandle> alive = new ArrayList<>();
        for (var e : all.entrySet()) {
            Optional<ProcessHandle> h = ProcessHandle.of(e.getValue()[0]);
            if (h.isPresent() && isOurs(e.getValue()[0], e.getKey())) {
                h.get().destroy();
                alive.add(h.get());
                stopped.add(e.getKey());
            }
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle h : alive) {
            while (h.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
        for (String name : all.keySet()) {
            Files.deleteIfExists(state.resolve("run").resolve(name + ".pid"));
            Files.deleteIfExists(state.resolve("run").resolve(name + ".port"));
        }
        return stopped;
    }

    String logTail(String name, int lines) {
        try {
            List<String> all = Files.readAllLines(logs().resolve(name + ".log"), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
