package dev.fovea.gateway.chat;

import java.util.List;

/**
 * A finished chat completion.
 *
 * @param promptTokens input positions (text tokens and image embedding rows)
 * @param tokenIds     the generated ids (end-of-generation excluded)
 * @param boxes        grounding boxes found in {@code text} (empty without an image)
 */
public record ChatOutcome(String finishReason, int promptTokens, int completionTokens, String text,
                          List<Integer> tokenIds, List<GroundingBox> boxes) {
}
