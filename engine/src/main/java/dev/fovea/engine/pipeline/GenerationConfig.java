package dev.fovea.engine.pipeline;

import dev.fovea.engine.sampling.SamplerConfig;
import java.util.List;

/**
 * Limits and sampling of one generation.
 *
 * @param maxTokens    most tokens to generate
 * @param sampler      how tokens are chosen
 * @param stop         strings that end the generation (not included in the text)
 * @param ignoreEos    keep going past end-of-generation tokens (benchmarks)
 */
public record GenerationConfig(int maxTokens, SamplerConfig sampler, List<String> stop, boolean ignoreEos) {

    public GenerationConfig {
        if (maxTokens < 0) {
            throw new IllegalArgumentException("max_tokens must be ≥ 0");
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        for (String s : stop) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
    }

    public static GenerationConfig greedy(int maxTokens) {
        return new GenerationConfig(maxTokens, SamplerConfig.greedy(), List.of(), false);
    }
}
