package dev.fovea.gateway;

import java.util.List;

/** A named subset of a pipeline's encoders (in the order the adapter takes them) and the adapter made for it. */
record CombinationConfig(List<String> encoders, String adapter) {
    CombinationConfig {
        encoders = encoders == null ? List.of() : List.copyOf(encoders);
    }
}
