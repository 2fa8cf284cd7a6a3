package dev.fovea.adapterservice;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Map;

/** {@code fovea.adapter.*}: the projectors this service loads, by adapter id. */
@ConfigMapping(prefix = "fovea.adapter")
public interface AdapterSettings {
    /** Adapter id → its GGUF (an mmproj whose projector is used, or an adapter file of docs/adapters.md). */
    Map<String, String> files();

    /** Compute threads; 0 = one per core. */
    @WithDefault("0")
    int threads();
}
