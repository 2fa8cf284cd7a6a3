package dev.fovea.gateway;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real llm-service (the module's built Quarkus app, serving the conformance model llama-spm-q8_0) in its own
 * process on a free loopback port, and a pipeline registry pointing the gateway at it. Image pipelines point at
 * ports where nothing listens, so their encoders are genuinely unavailable.
 */
public class LlmServiceProcess implements QuarkusTestResourceLifecycleManager {
    static final String MODEL_FILE = "llama-spm-q8_0.gguf";
    /** A template override used by the "llama-q8-inst" pipeline. */
    static final String OVERRIDE_TEMPLATE = "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n"
            + "{% endfor %}{% if add_generation_prompt %}[assistant] {% endif %}";

    private Process process;

    static Path modelPath() {
        String shared = System.getProperty("fovea.shared.dir");
        if (shared == null) {
            throw new IllegalStateException("system property fovea.shared.dir is not set (the parent pom sets it)");
        }
        return Path.of(shared, "conformance", "models", MODEL_FILE).toAbsolutePath().normalize();
    }

    @Override
    public Map<String, String> start() {
        Path jar = Path.of("..", "llm-service", "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the gateway tests run a real llm-service, but " + jar + " is missing: "
                    + "build it first from the repository root with `mvn -o -q -pl llm-service package -DskipTests` "
                    + "(a reactor build orders llm-service before gateway)");
        }
        Path model = modelPath();
        if (!Files.isRegularFile(model)) {
            throw new IllegalStateException("conformance model " + model + " is missing");
        }
        try {
            int port = freePort();
            Path target = Path.of("target").toAbsolutePath();
            Files.createDirectories(target);
            Path log = target.resolve("llm-service-test.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector",
                    "--enable-native-access=ALL-UNNAMED", "-Dquarkus.http.port=" + port,
                    "-Dquarkus.http.host=127.0.0.1", "-Dfovea.llm.model=" + model, "-jar", jar.toString()))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            awaitReady(port, log);
            Path pipelines = target.resolve("test-pipelines.yaml");
            Files.writeString(pipelines, registry("127.0.0.1:" + port, freePort(), freePort(), freePort(), freePort()));
            return Map.of("fovea.gateway.pipelines", pipelines.toString(),
                    "fovea.gateway.max-body-bytes", Integer.toString(TestLimits.MAX_BODY),
                    "fovea.gateway.max-images", Integer.toString(TestLimits.MAX_IMAGES));
        } catch (IOException e) {
            stop();
            throw new IllegalStateException("cannot start llm-service: " + e.getMessage(), e);
        }
    }

    private static String registry(String llm, int dead1, int dead2, int dead3, int dead4) {
        return """
                pipelines:
                  - model: llama-q8
                    llm: %1$s
                  - model: llama-q8-inst
                    llm: %1$s
                    template: "%2$s"
                  - model: vlm-offline
                    llm: %1$s
                    tiling: subimages
                    encoders:
                      - name: clip
                        replicas: [127.0.0.1:%3$d, 127.0.0.1:%4$d]
                      - name: siglip
                        replicas: [127.0.0.1:%5$d]
                    adapter: {id: clip-siglip-fusion, address: 127.0.0.1:%6$d}
                    combinations:
                      clip-only: {encoders: [clip], adapter: clip-mlp}
                """.formatted(llm, OVERRIDE_TEMPLATE.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"),
                dead1, dead2, dead3, dead4);
    }

    private void awaitReady(int port, Path log) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create("http://127.0.0.1:" + port + "/q/health/ready");
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("llm-service exited with " + process.exitValue() + ":\n" + tail(log));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for llm-service");
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for llm-service");
            }
        }
        throw new IllegalStateException("llm-service was not ready after 180 s:\n" + tail(log));
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
