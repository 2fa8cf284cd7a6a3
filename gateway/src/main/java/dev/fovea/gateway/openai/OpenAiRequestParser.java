package dev.fovea.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.engine.template.ChatMessage;
import dev.fovea.engine.template.ChatTemplate;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.chat.ChatCompletionRequest;
import dev.fovea.gateway.chat.ImageSource;
import dev.fovea.gateway.chat.SamplingParams;
import java.util.ArrayList;
import java.util.List;

/**
 * An OpenAI chat completion request body to a {@link ChatCompletionRequest}: every field OpenAI defines is
 * type-checked ({@link OpenAiFields}), then the ones Fovea uses are read.
 */
public final class OpenAiRequestParser {
    private OpenAiRequestParser() {
    }

    /** The parsed request and the two transport options that are not part of it. */
    public record Parsed(ChatCompletionRequest request, boolean stream, boolean includeUsage) {
    }

    /** @param maxMessages the most messages a request may hold (fovea.gateway.max-messages) */
    public static Parsed parse(JsonNode body, int maxMessages) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("the request body must be a JSON object", null, "invalid_json");
        }
        OpenAiFields.checkRequest(body);
        String model = string(body, "model", true);
        JsonNode msgs = body.get("messages");
        if (msgs == null || msgs.isNull() || msgs.isEmpty()) {
            throw ApiException.badRequest("messages must be a non-empty array", "messages", "invalid_value");
        }
        if (msgs.size() > maxMessages) {
            throw ApiException.badRequest("messages holds " + msgs.size() + " messages; at most " + maxMessages
                    + " are allowed (fovea.gateway.max-messages)", "messages", "too_many_messages");
        }
        List<ChatMessage> messages = new ArrayList<>(msgs.size());
        List<ImageSource> images = new ArrayList<>();
        for (int i = 0; i < msgs.size(); i++) {
            messages.add(message(msgs.get(i), i, images));
        }
        int n = 1;
        if (body.hasNonNull("n")) {
            JsonNode nn = body.get("n");
            if (!nn.canConvertToInt() || nn.intValue() < 1 || nn.intValue() > ChatCompletionRequest.MAX_N) {
                throw ApiException.badRequest("n must be between 1 and " + ChatCompletionRequest.MAX_N, "n",
                        "invalid_value");
            }
            n = nn.intValue();
        }
        if (body.hasNonNull("functions") && !body.get("functions").isEmpty()) {
            throw ApiException.badRequest("functions (deprecated by OpenAI) are not supported: use tools", "functions",
                    "unsupported_parameter");
        }
        int topLogprobs = -1;
        if (body.path("logprobs").asBoolean(false)) {
            topLogprobs = body.hasNonNull("top_logprobs") ? body.get("top_logprobs").intValue() : 0;
            if (topLogprobs < 0 || topLogprobs > 20) {
                throw ApiException.badRequest("top_logprobs must be between 0 and 20", "top_logprobs",
                        "invalid_value");
            }
        } else if (body.hasNonNull("top_logprobs")) {
            throw ApiException.badRequest("top_logprobs needs logprobs: true", "top_logprobs", "invalid_value");
        }
        Long maxTokens = null;
        for (String field : List.of("max_completion_tokens", "max_tokens")) {
            if (body.hasNonNull(field)) {
                maxTokens = maxTokens(body.get(field), field);
                break;
            }
        }
        SamplingParams sampling = sampling(body);
        JsonNode fovea = body.path("fovea");
        String encoders = fovea.hasNonNull("encoders") ? fovea.get("encoders").textValue() : null;
        boolean tokenIds = fovea.path("token_ids").asBoolean(false);
        boolean stream = body.path("stream").asBoolean(false);
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        return new Parsed(new ChatCompletionRequest(model, messages, images, sampling, maxTokens, stop(body), encoders,
                tokenIds, OpenAiTools.responseFormat(body.get("response_format")),
                OpenAiTools.tools(body.get("tools"), body.get("tool_choice")), topLogprobs, n, null), stream,
                includeUsage);
    }

    /** The sampling fields of a chat or text completion body (OpenAI's and vLLM's, see {@link SamplingParams}). */
    static SamplingParams sampling(JsonNode body) {
        Long seed = null;
        if (body.hasNonNull("seed")) {
            if (!body.get("seed").canConvertToLong()) {
                throw ApiException.badRequest("seed must be a 64-bit integer", "seed", "invalid_value");
            }
            seed = body.get("seed").longValue();
        }
        int topK = 0;
        if (body.hasNonNull("top_k")) {
            if (!body.get("top_k").isIntegralNumber()) {
                throw ApiException.badRequest("top_k must be an integer", "top_k", "invalid_type");
            }
            topK = body.get("top_k").intValue();
        }
        return new SamplingParams(number(body, "temperature", 1f), number(body, "top_p", 1f), seed, topK,
                number(body, "min_p", 0f), number(body, "repetition_penalty", 1f), number(body, "presence_penalty", 0f),
                number(body, "frequency_penalty", 0f), logitBias(body));
    }

    /** OpenAI's logit_bias: token ids (as JSON object keys) to values in [-100, 100]. */
    private static java.util.Map<Integer, Float> logitBias(JsonNode body) {
        JsonNode b = body.get("logit_bias");
        if (b == null || b.isNull()) {
            return java.util.Map.of();
        }
        java.util.Map<Integer, Float> out = new java.util.HashMap<>();
        for (var it = b.fields(); it.hasNext(); ) {
            var e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException x) {
                throw ApiException.badRequest("logit_bias keys must be token ids, got " + ApiException.quote(e.getKey()),
                        "logit_bias", "invalid_value");
            }
            if (!e.getValue().isNumber()) {
                throw ApiException.badRequest("logit_bias values must be numbers", "logit_bias", "invalid_type");
            }
            out.put(id, e.getValue().floatValue());
        }
        return out;
    }

    /** A client's max_tokens, as a long: whether it fits the model's context is the orchestrator's check. */
    private static long maxTokens(JsonNode v, String field) {
        if (!v.canConvertToLong() || v.longValue() < 1) {
            throw ApiException.badRequest(field + " must be at least 1 (and at most the model's context length)",
                    field, "invalid_value");
        }
        return v.longValue();
    }

    private static ChatMessage message(JsonNode m, int index, List<ImageSource> images) {
        String param = "messages[" + index + "]";
        if (!m.isObject()) {
            throw ApiException.badRequest(param + " must be an object", param, "invalid_type");
        }
        OpenAiFields.checkMessage(m, param);
        JsonNode roleNode = m.get("role");
        if (roleNode == null || roleNode.isNull()) {
            throw ApiException.badRequest(param + ".role is missing", param + ".role", "missing_required_parameter");
        }
        String role = ChatRoles.normalize(roleNode.textValue(), param + ".role");
        JsonNode content = m.get("content");
        List<ChatMessage.Part> parts = new ArrayList<>();
        if (role.equals("assistant") && m.hasNonNull("tool_calls") && m.get("tool_calls").size() > 0) {
            // an earlier call, written back as the model was asked to write it
            return new ChatMessage(role, List.of(text(OpenAiTools.callText(m.get("tool_calls"), param),
                    param + ".tool_calls")));
        }
        if (role.equals("tool")) {
            // templates rarely know the tool role: the result goes back as a user turn that says what it is
            String result = content == null || content.isNull() ? "" : content.isTextual() ? content.textValue()
                    : content.toString();
            return new ChatMessage("user", List.of(text("Result of the function call"
                    + (m.hasNonNull("tool_call_id") ? " " + m.get("tool_call_id").asText() : "") + ": " + result,
                    param + ".content")));
        }
        if (content == null || content.isNull()) {
            parts.add(new ChatMessage.Text(""));
        } else if (content.isTextual()) {
            parts.add(text(content.textValue(), param + ".content"));
        } else {
            for (int k = 0; k < content.size(); k++) {
                parts.add(part(content.get(k), param + ".content[" + k + "]", images));
            }
        }
        return new ChatMessage(role, parts);
    }

    /** Text as a part; the image marker in it would become an image slot the client never supplied. */
    static ChatMessage.Text text(String text, String param) {
        if (text.contains(ChatTemplate.IMAGE_MARKER)) {
            throw ApiException.badRequest(param + " contains " + ChatTemplate.IMAGE_MARKER
                    + ", which the gateway reserves for images; send images as image_url parts", param,
                    "invalid_value");
        }
        return new ChatMessage.Text(text);
    }

    private static ChatMessage.Part part(JsonNode p, String param, List<ImageSource> images) {
        if (!p.isObject()) {
            throw ApiException.badRequest(param + " must be an object", param, "invalid_type");
        }
        JsonNode typeNode = p.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            throw ApiException.badRequest(param + ".type must be a string (text, image_url)", param + ".type",
                    "invalid_type");
        }
        String type = typeNode.textValue();
        switch (type) {
            case "text" -> {
                JsonNode t = p.get("text");
                if (t == null || !t.isTextual()) {
                    throw ApiException.badRequest(param + ".text must be a string", param + ".text", "invalid_type");
                }
                return text(t.textValue(), param + ".text");
            }
            case "image_url" -> {
                JsonNode image = p.get("image_url");
                String url = image != null && image.isTextual() ? image.textValue()
                        : image != null && image.path("url").isTextual() ? image.get("url").textValue() : null;
                if (url == null) {
                    throw ApiException.badRequest(param + ".image_url.url must be a string", param + ".image_url",
                            "invalid_type");
                }
                images.add(ImageSource.ofUrl(url));
                return new ChatMessage.Image(images.size() - 1);
            }
            default -> throw ApiException.badRequest(param + ".type " + ApiException.quote(type)
                    + " is not supported (text, image_url)", param + ".type", "invalid_value");
        }
    }

    private static List<String> stop(JsonNode body) {
        JsonNode s = body.get("stop");
        if (s == null || s.isNull()) {
            return List.of();
        }
        if (s.isTextual()) {
            return List.of(s.textValue());
        }
        if (s.size() > ChatCompletionRequest.MAX_STOP) {
            throw ApiException.badRequest("stop takes at most " + ChatCompletionRequest.MAX_STOP + " sequences",
                    "stop", "invalid_value");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : s) {
            if (!e.isTextual()) {
                throw ApiException.badRequest("stop must be a string or an array of strings", "stop", "invalid_type");
            }
            out.add(e.textValue());
        }
        return out;
    }

    private static String string(JsonNode node, String field, boolean required) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiException.badRequest("missing required parameter '" + field + "'", field,
                        "missing_required_parameter");
            }
            return null;
        }
        return v.textValue();
    }

    private static float number(JsonNode body, String field, float fallback) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            // (chat bodies had their types checked already; text completion bodies are checked here)
            throw ApiException.badRequest(field + " must be a number", field, "invalid_type");
        }
        return v.floatValue();
    }
}
