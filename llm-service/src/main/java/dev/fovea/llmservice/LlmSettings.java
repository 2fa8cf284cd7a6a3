package dev.fovea.llmservice;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code fovea.llm.*}: which model to serve and how the scheduler may use memory. */
@ConfigMapping(prefix = "fovea.llm")
public interface LlmSettings {
    /** The LLM GGUF file. */
    String model();

    /** Compute threads; 0 = one per core. */
    @WithDefault("0")
    int threads();

    @WithDefault("8")
    int maxBatch();

    @WithDefault("2048")
    long kvBudgetMb();

    @WithDefault("512")
    long prefixCacheMb();

    @WithDefault("256")
    int maxQueue();

    /**
     * How long a stopping replica lets its running calls finish before it ends them; keep it below the pod's
     * terminationGracePeriodSeconds minus its preStop pause.
     */
    @WithDefault("60s")
    Duration drainTimeout();
}
