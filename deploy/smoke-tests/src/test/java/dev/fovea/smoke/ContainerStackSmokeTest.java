package dev.fovea.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.testsupport.NeedsConformance;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.lifecycle.Startables;

/**
 * The container images end to end: builds them (deploy/docker/build-images.sh), runs the encoder, adapter and LLM
 * services and the gateway as four containers with host networking on the conformance LLaVA-style models, and
 * sends one chat request with an image to the gateway. Skipped when no Docker engine is reachable. The whole class
 * works within one time budget so it stays well inside surefire's bound.
 */
@NeedsConformance
class ContainerStackSmokeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "llava-conformance";
    private static final int MAX_TOKENS = 8;
    private static final long DEADLINE = System.nanoTime() + TimeUnit.SECONDS.toNanos(270);
    private static final List<GenericContainer<?>> CONTAINERS = new ArrayList<>();
    private static final String NO_DOCKER = "no Docker engine reachable (DOCKER_HOST or /var/run/docker.sock): "
            + "the container smoke test is skipped";
    private static boolean dockerAvailable;
    private static int gatewayPort;

    private static Duration remaining() {
        long left = DEADLINE - System.nanoTime();
        if (left <= 0) {
            throw new IllegalStateException("the smoke test ran out of its 270 s budget");
        }
        return Duration.ofNanos(left);
    }

    private static Path shared(String relative) {
        return Path.of(System.getProperty("fovea.shared.dir")).resolve("conformance").resolve(relative)
                .toAbsolutePath().normalize();
    }

    @BeforeAll
    static void startStack() throws Exception {
        dockerAvailable = DockerClientFactory.instance().isDockerAvailable();
        if (!dockerAvailable) {
            System.out.println("smoke: " + NO_DOCKER);
            return;
        }
        long t0 = System.nanoTime();
        ServiceImages.build(remaining());
        System.out.printf("smoke: images built in %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));

        int[] ports = freePorts(4);
        Path models = shared("models");
        GenericContainer<?> encoder = ServiceContainer.create("encoder-service", ports[0], models, remaining())
                .withEnv("FOVEA_ENCODER_MMPROJ", "/models/mmproj-mlp-f32.gguf")
                .withEnv("FOVEA_ENCODER_NAME", "clip");
        // env names cannot spell an id with '-': FOVEA_ADAPTER_FILES_LLAVA is the adapter id "llava"
        GenericContainer<?> adapter = ServiceContainer.create("adapter-service", ports[1], models, remaining())
                .withEnv("FOVEA_ADAPTER_FILES_LLAVA", "/models/mmproj-mlp-f32.gguf");
        GenericContainer<?> llm = ServiceContainer.create("llm-service", ports[2], models, remaining())
                .withEnv("FOVEA_LLM_MODEL", "/models/llama-spm-f32.gguf");
        CONTAINERS.addAll(List.of(encoder, adapter, llm));
        // bounded by each container's startup timeout; joining all of them means none is still starting when
        // @AfterAll removes them
        Startables.deepStart(encoder, adapter, llm).join();

        Path config = Path.of("target", "smoke-config").toAbsolutePath();
        Files.createDirectories(config);
        Files.writeString(config.resolve("pipelines.yaml"), """
                pipelines:
                  - model: %s
                    llm: "127.0.0.1:%d"
                    encoders:
                      - name: clip
                        replicas: ["127.0.0.1:%d"]
                    adapter: {id: llava, address: "127.0.0.1:%d"}
                """.formatted(MODEL, ports[2], ports[0], ports[1]));
        gatewayPort = ports[3];
        GenericContainer<?> gateway = ServiceContainer.create("gateway", gatewayPort, models, remaining())
                .withFileSystemBind(config.toString(), "/config", BindMode.READ_ONLY)
                .withEnv("FOVEA_GATEWAY_PIPELINES", "/config/pipelines.yaml");
        CONTAINERS.add(gateway);
        gateway.start();
        awaitReady(gatewayPort);
        System.out.printf("smoke: images built and four containers healthy in %d s%n",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
    }

    /** Each test, not the class, is skipped: surefire then counts and names the skipped tests. */
    @BeforeEach
    void requireDocker() {
        assumeTrue(dockerAvailable, NO_DOCKER);
    }

    @AfterAll
    static void stopStack() {
        Path logs = Path.of("target", "smoke-logs").toAbsolutePath();
        for (GenericContainer<?> c : CONTAINERS.reversed()) {
            try {
                if (c.isRunning()) {
                    Files.createDirectories(logs);
                    String name = c.getDockerImageName().replaceAll("[^A-Za-z0-9.-]", "_");
                    Files.writeString(logs.resolve(name + ".log"), c.getLogs());
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("smoke: could not save a container's log: " + e);
            } finally {
                c.stop();
            }
        }
        CONTAINERS.clear();
    }

    @Test
    void theGatewayAnswersAChatWithAnImage() throws Exception {
        String png = Base64.getEncoder().encodeToString(Files.readAllBytes(shared("images/shapes56.png")));
        ObjectNode body = JSON.createObjectNode().put("model", MODEL).put("temperature", 0).put("max_tokens", MAX_TOKENS);
        ArrayNode parts = body.putArray("messages").addObject().put("role", "user").putArray("content");
        parts.addObject().put("type", "image_url").putObject("image_url").put("url", "data:image/png;base64," + png);
        parts.addObject().put("type", "text").put("text", "What is in the picture?");
        body.putObject("fovea").put("token_ids", true);

        long t0 = System.nanoTime();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gatewayPort + "/v1/chat/completions"))
                .timeout(remaining()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

        JsonNode reply = JSON.readTree(r.body());
        assertThat(reply.path("object").asText()).isEqualTo("chat.completion");
        assertThat(reply.path("model").asText()).isEqualTo(MODEL);
        assertThat(reply.path("id").asText()).startsWith("chatcmpl-");
        JsonNode choice = reply.path("choices").path(0);
        assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
        assertThat(choice.path("message").path("content").asText()).isNotBlank();
        assertThat(choice.path("finish_reason").asText()).isIn("stop", "length");
        int completion = reply.path("usage").path("completion_tokens").asInt();
        assertThat(completion).isBetween(1, MAX_TOKENS);
        assertThat(choice.path("message").path("fovea").path("token_ids").size()).isEqualTo(completion);
        // the image's embedding rows count as prompt positions: far more than the few text tokens
        assertThat(reply.path("usage").path("prompt_tokens").asInt()).isGreaterThan(20);
        System.out.printf("smoke: %d ms, %d prompt positions, %d tokens: %s%n", ms,
                reply.path("usage").path("prompt_tokens").asInt(), completion,
                choice.path("message").path("content").asText());
    }

    @Test
    void everyServiceRunsAsTheNonRootUserAndReportsHealthy() {
        for (GenericContainer<?> c : CONTAINERS) {
            var info = c.getCurrentContainerInfo();
            assertThat(info.getConfig().getUser()).as(c.getDockerImageName()).isEqualTo("10001:10001");
            assertThat(info.getState().getHealth().getStatus()).as(c.getDockerImageName()).isEqualTo("healthy");
        }
    }

    /** Waits for /q/health/ready: the gateway's readiness includes its backends. */
    private static void awaitReady(int port) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create("http://127.0.0.1:" + port + "/q/health/ready");
        String last = "no answer";
        while (remaining().toMillis() > 0) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the gateway was not ready in time: " + last);
    }

    /** Distinct ports free on this host, which the containers share (host networking). */
    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }
}
