package dev.fovea.gateway.chat;

import dev.fovea.engine.template.ChatMessage;
import dev.fovea.gateway.ApiException;
import java.util.List;

/**
 * A chat completion as both front ends (REST, gRPC) hand it to the orchestrator.
 *
 * @param messages       the turns; images appear as {@link ChatMessage.Image} parts indexing {@code images}
 * @param maxTokens      completion tokens at most as the client asked; null when it did not (the gateway then picks
 *                       what fits the context, see {@code ChatOrchestrator})
 * @param encoders       the encoder combination asked for; null for the pipeline's default
 * @param returnTokenIds whether the reply lists the generated token ids
 */
public record ChatCompletionRequest(String model, List<ChatMessage> messages, List<ImageSource> images,
                                    SamplingParams sampling, Long maxTokens, List<String> stop, String encoders,
                                    boolean returnTokenIds) {
    public static final int MAX_STOP = 4;

    public ChatCompletionRequest {
        if (model == null || model.isBlank()) {
            throw ApiException.badRequest("you must provide a model", "model", "missing_required_parameter");
        }
        if (messages == null || messages.isEmpty()) {
            throw ApiException.badRequest("messages must be a non-empty array", "messages", "invalid_value");
        }
        if (maxTokens != null && maxTokens <= 0) {
            throw ApiException.badRequest("max_tokens must be at least 1", "max_tokens", "invalid_value");
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (stop.size() > MAX_STOP) {
            throw ApiException.badRequest("stop takes at most " + MAX_STOP + " sequences", "stop", "invalid_value");
        }
        if (stop.stream().anyMatch(String::isEmpty)) {
            throw ApiException.badRequest("stop sequences must not be empty", "stop", "invalid_value");
        }
        messages = List.copyOf(messages);
        images = List.copyOf(images);
    }
}
