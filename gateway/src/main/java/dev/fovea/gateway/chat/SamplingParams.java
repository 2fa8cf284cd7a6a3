package dev.fovea.gateway.chat;

import dev.fovea.gateway.ApiException;
import java.util.Map;

/**
 * OpenAI's sampling fields, and the ones vLLM adds ({@code top_k}, {@code min_p}, {@code repetition_penalty});
 * a null seed means a random one, 0 for {@code topK}/{@code minP} and 1 for {@code repetitionPenalty} mean off.
 */
public record SamplingParams(float temperature, float topP, Long seed, int topK, float minP, float repetitionPenalty,
                             float presencePenalty, float frequencyPenalty, Map<Integer, Float> logitBias) {

    public SamplingParams(float temperature, float topP, Long seed) {
        this(temperature, topP, seed, 0, 0f, 1f, 0f, 0f, Map.of());
    }

    public SamplingParams {
        if (Float.isNaN(temperature) || temperature < 0 || temperature > 2) {
            throw ApiException.badRequest("temperature must be between 0 and 2", "temperature", "invalid_value");
        }
        if (Float.isNaN(topP) || topP <= 0 || topP > 1) {
            throw ApiException.badRequest("top_p must be in (0, 1]", "top_p", "invalid_value");
        }
        if (topK < 0) {
            throw ApiException.badRequest("top_k must be ≥ 0 (0 = off)", "top_k", "invalid_value");
        }
        if (Float.isNaN(minP) || minP < 0 || minP > 1) {
            throw ApiException.badRequest("min_p must be between 0 and 1", "min_p", "invalid_value");
        }
        if (Float.isNaN(repetitionPenalty) || repetitionPenalty <= 0 || repetitionPenalty > 10) {
            throw ApiException.badRequest("repetition_penalty must be in (0, 10]", "repetition_penalty",
                    "invalid_value");
        }
        check("presence_penalty", presencePenalty);
        check("frequency_penalty", frequencyPenalty);
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
        if (logitBias.size() > 300) {
            throw ApiException.badRequest("logit_bias names at most 300 tokens", "logit_bias", "invalid_value");
        }
        for (var e : logitBias.entrySet()) {
            if (e.getKey() < 0 || Float.isNaN(e.getValue()) || e.getValue() < -100 || e.getValue() > 100) {
                throw ApiException.badRequest("logit_bias maps token ids to values between -100 and 100", "logit_bias",
                        "invalid_value");
            }
        }
    }

    private static void check(String field, float v) {
        if (Float.isNaN(v) || v < -2 || v > 2) {
            throw ApiException.badRequest(field + " must be between -2 and 2", field, "invalid_value");
        }
    }

    public SamplingParams withSeed(long s) {
        return new SamplingParams(temperature, topP, s, topK, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, logitBias);
    }
}
