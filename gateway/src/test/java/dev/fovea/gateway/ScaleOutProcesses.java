package dev.fovea.gateway;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A scaled-out pipeline as separate processes on loopback: two replicas of one encoder (the conformance CLIP
 * mmproj), one adapter, two replicas of the LLM (the conformance LLaVA-style model), all named in one pipeline so
 * the gateway under test routes between the replicas. Tests may kill replicas ({@link #kill}).
 */
public class ScaleOutProcesses implements QuarkusTestResourceLifecycleManager {
    static final String MODEL = "llava-scaled";
    /** The running services by name; static because the test instance and the resource are different objects. */
    static final Map<String, ServiceProcess> SERVICES = new LinkedHashMap<>();

    @Override
    public Map<String, String> start() {
        try {
            String mmproj = VisionStackProcesses.conformance("models/mmproj-mlp-f32.gguf").toString();
            String llm = VisionStackProcesses.conformance("models/llama-spm-f32.gguf").toString();
            for (String name : new String[] {"encoder-1", "encoder-2"}) {
                start(name, "encoder-service", Map.of("fovea.encoder.mmproj", mmproj, "fovea.encoder.name", "clip"));
            }
            start("adapter", "adapter-service", Map.of("fovea.adapter.files.llava-mlp", mmproj));
            for (String name : new String[] {"llm-1", "llm-2"}) {
                start(name, "llm-service", Map.of("fovea.llm.model", llm));
            }
            Path pipelines = VisionStackProcesses.target("scaled-pipelines.yaml");
            Files.createDirectories(pipelines.getParent());
            Files.writeString(pipelines, """
                    pipelines:
                      - model: %s
                        llm: [%s, %s]
                        encoders:
                          - name: clip
                            replicas: [%s, %s]
                        adapter: {id: llava-mlp, address: %s}
                    """.formatted(MODEL, address("llm-1"), address("llm-2"), address("encoder-1"),
                    address("encoder-2"), address("adapter")));
            // a killed replica is skipped for the rest of the test; loads are asked often so the test runs quickly
            return Map.of("fovea.gateway.pipelines", pipelines.toString(),
                    "fovea.gateway.routing.eject-for", "60s", "fovea.gateway.routing.load-poll", "200ms");
        } catch (IOException | RuntimeException e) {
            stop();
            throw new IllegalStateException("cannot start the scaled-out stack: " + e.getMessage(), e);
        }
    }

    private static void start(String name, String module, Map<String, String> props) throws IOException {
        SERVICES.put(name, ServiceProcess.start("scaled-" + name, module, props));
    }

    static String address(String name) {
        return SERVICES.get(name).address();
    }

    static int port(String name) {
        return SERVICES.get(name).port();
    }

    /** SIGKILL, as a crashed or evicted pod goes. */
    static void kill(String name) {
        SERVICES.get(name).kill();
    }

    @Override
    public void stop() {
        SERVICES.values().forEach(ServiceProcess::close);
        SERVICES.clear();
    }
}
