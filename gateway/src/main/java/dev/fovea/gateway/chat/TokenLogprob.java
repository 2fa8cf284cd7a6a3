package dev.fovea.gateway.chat;

import java.util.List;

/**
 * One generated position's log-probabilities as OpenAI's {@code logprobs.content[i]} reports them: the token's
 * text and bytes, its log-probability, and the most likely alternatives ({@code top} holds entries without
 * alternatives of their own).
 */
public record TokenLogprob(String token, byte[] bytes, float logprob, List<TokenLogprob> top) {
}
