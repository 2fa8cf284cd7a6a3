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
 * @param format         response_format (free text, JSON, JSON of a schema)
 * @param tools          the functions offered and tool_choice; null without tools
 * @param topLogprobs    -1: no logprobs; 0..20: each token's log-probability and this many alternatives
 * @param n              how many choices to generate (1..{@value #MAX_N})
 * @param raw            a prompt that bypasses the template ({@code /v1/completions}; then {@code messages} only
 *                       counts its text), or null
 */
public record ChatCompletionRequest(String model, List<ChatMessage> messages, List<ImageSource> images,
                                    SamplingParams sampling, Long maxTokens, List<String> stop, String encoders,
                                    boolean returnTokenIds, ResponseFormat format, ToolSpec tools, int topLogprobs,
                                    int n, RawPrompt raw) {
    public static final int MAX_STOP = 4;
    public static final int MAX_N = 8;

    public ChatCompletionRequest(String model, List<ChatMessage> messages, List<ImageSource> images,
                                 SamplingParams sampling, Long maxTokens, List<String> stop, String encoders,
                                 boolean returnTokenIds) {
        this(model, messages, images, sampling, maxTokens, stop, encoders, returnTokenIds, ResponseFormat.TEXT, null,
                -1, 1, null);
    }

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
        format = format == null ? ResponseFormat.TEXT : format;
        if (topLogprobs < -1 || topLogprobs > 20) {
            throw ApiException.badRequest("top_logprobs must be between 0 and 20", "top_logprobs", "invalid_value");
        }
        if (n < 1 || n > MAX_N) {
            throw ApiException.badRequest("n must be between 1 and " + MAX_N, "n", "invalid_value");
        }
        if (tools != null && tools.active() && format.kind() != ResponseFormat.Kind.TEXT) {
            throw ApiException.badRequest("tools and a JSON response_format cannot be combined", "response_format",
                    "invalid_value");
        }
    }

    /** The same request with {@code seed} (jobs fix one so that a retried job answers the same). */
    public ChatCompletionRequest withSeed(long seed) {
        return new ChatCompletionRequest(model, messages, images, sampling.withSeed(seed), maxTokens, stop, encoders,
                returnTokenIds, format, tools, topLogprobs, n, raw);
    }
}
