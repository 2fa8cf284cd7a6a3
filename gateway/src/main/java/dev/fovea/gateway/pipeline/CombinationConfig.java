package dev.fovea.gateway.pipeline;

import java.util.List;

/** A named subset of a pipeline's encoders (in the order the adapter takes them) and the adapter made for it. */
public record CombinationConfig(List<String> encoders, String adapter) {
    public CombinationConfig {
        encoders = encoders == null ? List.of() : List.copyOf(encoders);
    }
}
