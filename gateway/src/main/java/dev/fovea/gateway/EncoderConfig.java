package dev.fovea.gateway;

import java.util.List;

/** One vision encoder of a pipeline and the replicas serving it ({@code host:port} each). */
record EncoderConfig(String name, List<String> replicas) {
    EncoderConfig {
        replicas = replicas == null ? List.of() : List.copyOf(replicas);
    }
}
