package dev.fovea.gateway;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private ServiceProcess llm;
    private String maxBodyBytes = Integer.toString(TestLimits.MAX_BODY);

    /** {@code max-body-bytes}: the gateway's body limit (default {@link TestLimits#MAX_BODY}, small and cheap). */
    @Override
    public void init(Map<String, String> initArgs) {
        maxBodyBytes = initArgs.getOrDefault("max-body-bytes", maxBodyBytes);
    }

    static Path modelPath() {
        String shared = System.getProperty("fovea.shared.dir");
        if (shared == null) {
            throw new IllegalStateException("system property fovea.shared.dir is not set (the parent pom sets it)");
        }
        return Path.of(shared, "conformance", "models", MODEL_FILE).toAbsolutePath().normalize();
    }

    @Override
    public Map<String, String> start() {
        Path model = modelPath();
        if (!Files.isRegularFile(model)) {
            throw new IllegalStateException("conformance model " + model + " is missing");
        }
        try {
            llm = ServiceProcess.start("llm-service-test", "llm-service", Map.of("fovea.llm.model", model.toString()));
            Path pipelines = Path.of("target").toAbsolutePath().resolve("test-pipelines.yaml");
            Files.writeString(pipelines, registry(llm.address(), ServiceProcess.freePort(), ServiceProcess.freePort(),
                    ServiceProcess.freePort(), ServiceProcess.freePort()));
            return Map.of("fovea.gateway.pipelines", pipelines.toString(),
                    "fovea.gateway.max-body-bytes", maxBodyBytes,
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

    @Override
    public void stop() {
        if (llm != null) {
            llm.close();
        }
    }
}
