package dev.fovea.engine.sampling;

import java.util.Map;

/**
 * How the next token is chosen from logits. Stages run in llama.cpp's order: penalties, top-k, top-p, min-p,
 * temperature, then a draw; a temperature ≤ 0 means greedy (argmax after penalties).
 *
 * @param temperature      softmax temperature; ≤ 0 selects the argmax
 * @param topK             keep the k most likely tokens; ≤ 0 disables
 * @param topP             keep the smallest set whose probability reaches p; ≥ 1 disables
 * @param minP             drop tokens less likely than minP × the top probability; ≤ 0 disables
 * @param repeatPenalty    divide positive (multiply negative) logits of recent tokens; 1 disables
 * @param frequencyPenalty subtract count × this from recent tokens' logits (OpenAI semantics); 0 disables
 * @param presencePenalty  subtract this once from every recent token's logit; 0 disables
 * @param penaltyLastN     how many recent tokens the penalties look at
 * @param seed             random seed for the draw
 * @param logitBias        added to the named tokens' logits before everything else (OpenAI's logit_bias)
 */
public record SamplerConfig(float temperature, int topK, float topP, float minP, float repeatPenalty,
                            float frequencyPenalty, float presencePenalty, int penaltyLastN, long seed,
                            Map<Integer, Float> logitBias) {

    public SamplerConfig(float temperature, int topK, float topP, float minP, float repeatPenalty,
                         float frequencyPenalty, float presencePenalty, int penaltyLastN, long seed) {
        this(temperature, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, seed,
                Map.of());
    }

    public SamplerConfig {
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
        for (var e : logitBias.entrySet()) {
            if (!Float.isFinite(e.getValue())) {
                throw new IllegalArgumentException("logit_bias of token " + e.getKey() + " must be finite");
            }
        }
        if (Float.isNaN(frequencyPenalty) || Float.isInfinite(frequencyPenalty) || Float.isNaN(presencePenalty)
                || Float.isInfinite(presencePenalty)) {
            throw new IllegalArgumentException("frequency and presence penalties must be finite");
        }
        if (Float.isNaN(temperature) || temperature < 0) {
            throw new IllegalArgumentException("temperature must be ≥ 0");
        }
        if (Float.isNaN(topP) || topP <= 0 || topP > 1) {
            throw new IllegalArgumentException("top_p must be in (0, 1]");
        }
        if (Float.isNaN(minP) || minP < 0 || minP > 1) {
            throw new IllegalArgumentException("min_p must be in [0, 1]");
        }
        if (Float.isNaN(repeatPenalty) || repeatPenalty <= 0) {
            throw new IllegalArgumentException("repeat penalty must be > 0");
        }
        if (penaltyLastN < 0) {
            throw new IllegalArgumentException("penalty window must be ≥ 0");
        }
    }

    /** Argmax decoding. */
    public static SamplerConfig greedy() {
        return new SamplerConfig(0f, 0, 1f, 0f, 1f, 0f, 0f, 64, 0L);
    }

    /** llama.cpp's defaults: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05. */
    public static SamplerConfig defaults(long seed) {
        return new SamplerConfig(0.8f, 40, 0.95f, 0.05f, 1f, 0f, 0f, 64, seed);
    }

    public boolean isGreedy() {
        return temperature <= 0f;
    }

    public SamplerConfig withTemperature(float t) {
        return new SamplerConfig(t, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN,
                seed, logitBias);
    }

    public SamplerConfig withSeed(long s) {
        return new SamplerConfig(temperature, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty,
                penaltyLastN, s, logitBias);
    }
}
