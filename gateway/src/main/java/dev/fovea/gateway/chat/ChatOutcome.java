package dev.fovea.gateway.chat;

import java.util.List;

/**
 * A finished chat completion.
 *
 * @param promptTokens input positions (text tokens and image embedding rows)
 * @param tokenIds     the generated ids (end-of-generation excluded)
 * @param boxes        grounding boxes found in {@code text} (empty without an image)
 * @param toolCalls    the function calls the answer makes (then {@code finishReason} is {@code tool_calls})
 * @param logprobs     each generated token's log-probabilities when asked for (empty without tokens); null when not
 * @param cachedTokens prompt positions the LLM found in its prefix cache
 */
public record ChatOutcome(String finishReason, int promptTokens, int completionTokens, String text,
                          List<Integer> tokenIds, List<GroundingBox> boxes, List<ToolCall> toolCalls,
                          List<TokenLogprob> logprobs, int cachedTokens) {

    public ChatOutcome(String finishReason, int promptTokens, int completionTokens, String text,
                       List<Integer> tokenIds, List<GroundingBox> boxes) {
        this(finishReason, promptTokens, completionTokens, text, tokenIds, boxes, List.of(), null, 0);
    }
}
