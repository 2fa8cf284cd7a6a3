package dev.fovea.gateway.chat;

import dev.fovea.gateway.ApiException;

/** OpenAI's sampling fields; a null seed means a random one. */
public record SamplingParams(float temperature, float topP, Long seed) {
    public SamplingParams {
        if (Float.isNaN(temperature) || temperature < 0 || temperature > 2) {
            throw ApiException.badRequest("temperature must be between 0 and 2", "temperature", "invalid_value");
        }
        if (Float.isNaN(topP) || topP <= 0 || topP > 1) {
            throw ApiException.badRequest("top_p must be in (0, 1]", "top_p", "invalid_value");
        }
    }
}
