package dev.fovea.gateway.pipeline;

import java.util.List;

/** One vision encoder of a pipeline and the replicas serving it ({@code host:port} each). */
public record EncoderConfig(String name, List<String> replicas) {
    public EncoderConfig {
        replicas = replicas == null ? List.of() : List.copyOf(replicas);
    }
}
