package dev.fovea.engine.pipeline;

import dev.fovea.engine.constrain.JsonConstraint;
import dev.fovea.engine.sampling.SamplerConfig;
import java.util.List;

/**
 * Limits and sampling of one generation.
 *
 * @param maxTokens    most tokens to generate
 * @param sampler      how tokens are chosen
 * @param stop         strings that end the generation (not included in the text)
 * @param ignoreEos    keep going past end-of-generation tokens (benchmarks)
 * @param constraint   the language the output must stay in (JSON, JSON of a schema), or null for free text
 */
public record GenerationConfig(int maxTokens, SamplerConfig sampler, List<String> stop, boolean ignoreEos,
                               JsonConstraint constraint) {

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

    public GenerationConfig(int maxTokens, SamplerConfig sampler, List<String> stop, boolean ignoreEos) {
        this(maxTokens, sampler, stop, ignoreEos, null);
    }

    public GenerationConfig withConstraint(JsonConstraint c) {
        return new GenerationConfig(maxTokens, sampler, stop, ignoreEos, c);
    }

    public static GenerationConfig greedy(int maxTokens) {
        return new GenerationConfig(maxTokens, SamplerConfig.greedy(), List.of(), false);
    }
}
