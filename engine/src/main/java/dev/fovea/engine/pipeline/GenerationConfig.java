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
 * @param topLogprobs  -1: no log-probabilities; 0: the chosen token's; k: also the k most likely tokens'
 */
public record GenerationConfig(int maxTokens, SamplerConfig sampler, List<String> stop, boolean ignoreEos,
                               JsonConstraint constraint, int topLogprobs) {

    public GenerationConfig {
        if (maxTokens < 0) {
            throw new IllegalArgumentException("max_tokens must be ≥ 0");
        }
        if (topLogprobs < -1 || topLogprobs > TokenLogprobs.MAX_TOP) {
            throw new IllegalArgumentException("top_logprobs must be between 0 and " + TokenLogprobs.MAX_TOP
                    + ", got " + topLogprobs);
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        for (String s : stop) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
    }

    public GenerationConfig(int maxTokens, SamplerConfig sampler, List<String> stop, boolean ignoreEos) {
        this(maxTokens, sampler, stop, ignoreEos, null, -1);
    }

    public GenerationConfig(int maxTokens, SamplerConfig sampler, List<String> stop, boolean ignoreEos,
                            JsonConstraint constraint) {
        this(maxTokens, sampler, stop, ignoreEos, constraint, -1);
    }

    public GenerationConfig withConstraint(JsonConstraint c) {
        return new GenerationConfig(maxTokens, sampler, stop, ignoreEos, c, topLogprobs);
    }

    public GenerationConfig withTopLogprobs(int k) {
        return new GenerationConfig(maxTokens, sampler, stop, ignoreEos, constraint, k);
    }

    public static GenerationConfig greedy(int maxTokens) {
        return new GenerationConfig(maxTokens, SamplerConfig.greedy(), List.of(), false);
    }
}
