package dev.fovea.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.engine.template.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/** An OpenAI chat completion request body to a {@link ChatCompletionRequest}, every field type-checked. */
final class OpenAiRequestParser {
    private OpenAiRequestParser() {
    }

    /** The parsed request and the two transport options that are not part of it. */
    record Parsed(ChatCompletionRequest request, boolean stream, boolean includeUsage) {
    }

    static Parsed parse(JsonNode body, int defaultMaxTokens) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("the request body must be a JSON object", null, "invalid_json");
        }
        String model = string(body, "model", true);
        JsonNode msgs = body.get("messages");
        if (msgs == null || !msgs.isArray() || msgs.isEmpty()) {
            throw ApiException.badRequest("messages must be a non-empty array", "messages", "invalid_value");
        }
        List<ChatMessage> messages = new ArrayList<>();
        List<ImageSource> images = new ArrayList<>();
        for (int i = 0; i < msgs.size(); i++) {
            messages.add(message(msgs.get(i), i, images));
        }
        if (body.hasNonNull("n") && body.get("n").asInt() != 1) {
            throw ApiException.badRequest("only n = 1 is supported", "n", "unsupported_value");
        }
        if (body.hasNonNull("tools") && !body.get("tools").isEmpty()) {
            throw ApiException.badRequest("tools are not supported", "tools", "unsupported_parameter");
        }
        if (body.path("logprobs").asBoolean(false)) {
            throw ApiException.badRequest("logprobs are not supported", "logprobs", "unsupported_parameter");
        }
        int maxTokens = defaultMaxTokens;
        for (String field : List.of("max_completion_tokens", "max_tokens")) {
            if (body.hasNonNull(field)) {
                maxTokens = integer(body.get(field), field);
                break;
            }
        }
        Long seed = null;
        if (body.hasNonNull("seed")) {
            if (!body.get("seed").isIntegralNumber() || !body.get("seed").canConvertToLong()) {
                throw ApiException.badRequest("seed must be an integer", "seed", "invalid_type");
            }
            seed = body.get("seed").longValue();
        }
        SamplingParams sampling = new SamplingParams(number(body, "temperature", 1f), number(body, "top_p", 1f), seed);
        JsonNode fovea = body.path("fovea");
        if (!fovea.isMissingNode() && !fovea.isNull() && !fovea.isObject()) {
            throw ApiException.badRequest("fovea must be an object", "fovea", "invalid_type");
        }
        String encoders = fovea.hasNonNull("encoders") ? string(fovea, "encoders", false) : null;
        boolean tokenIds = bool(fovea, "token_ids");
        boolean stream = bool(body, "stream");
        boolean includeUsage = bool(body.path("stream_options"), "include_usage");
        return new Parsed(new ChatCompletionRequest(model, messages, images, sampling, maxTokens, stop(body), encoders,
                tokenIds), stream, includeUsage);
    }

    private static ChatMessage message(JsonNode m, int index, List<ImageSource> images) {
        String param = "messages[" + index + "]";
        if (!m.isObject()) {
            throw ApiException.badRequest(param + " must be an object", param, "invalid_type");
        }
        JsonNode roleNode = m.get("role");
        if (roleNode == null || !roleNode.isTextual() || roleNode.asText().isBlank()) {
            throw ApiException.badRequest(param + ".role must be a string", param + ".role", "invalid_type");
        }
        // OpenAI's newer name for the system role; templates know only "system"
        String role = roleNode.asText().equals("developer") ? "system" : roleNode.asText();
        JsonNode content = m.get("content");
        List<ChatMessage.Part> parts = new ArrayList<>();
        if (content == null || content.isNull()) {
            parts.add(new ChatMessage.Text(""));
        } else if (content.isTextual()) {
            parts.add(new ChatMessage.Text(content.asText()));
        } else if (content.isArray()) {
            for (int k = 0; k < content.size(); k++) {
                parts.add(part(content.get(k), param + ".content[" + k + "]", images));
            }
        } else {
            throw ApiException.badRequest(param + ".content must be a string or an array of parts",
                    param + ".content", "invalid_type");
        }
        return new ChatMessage(role, parts);
    }

    private static ChatMessage.Part part(JsonNode p, String param, List<ImageSource> images) {
        String type = p.path("type").asText("");
        switch (type) {
            case "text" -> {
                return new ChatMessage.Text(string(p, "text", true));
            }
            case "image_url" -> {
                JsonNode image = p.get("image_url");
                String url = image != null && image.isTextual() ? image.asText()
                        : image != null && image.path("url").isTextual() ? image.get("url").asText() : null;
                if (url == null) {
                    throw ApiException.badRequest(param + ".image_url.url must be a string", param + ".image_url",
                            "invalid_type");
                }
                images.add(ImageSource.ofUrl(url));
                return new ChatMessage.Image(images.size() - 1);
            }
            default -> throw ApiException.badRequest(param + ": content part type '" + type + "' is not supported "
                    + "(text, image_url)", param + ".type", "invalid_value");
        }
    }

    private static List<String> stop(JsonNode body) {
        JsonNode s = body.get("stop");
        if (s == null || s.isNull()) {
            return List.of();
        }
        if (s.isTextual()) {
            return List.of(s.asText());
        }
        if (!s.isArray()) {
            throw ApiException.badRequest("stop must be a string or an array of strings", "stop", "invalid_type");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : s) {
            if (!e.isTextual()) {
                throw ApiException.badRequest("stop must be a string or an array of strings", "stop", "invalid_type");
            }
            out.add(e.asText());
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
        if (!v.isTextual()) {
            throw ApiException.badRequest(field + " must be a string", field, "invalid_type");
        }
        return v.asText();
    }

    private static float number(JsonNode body, String field, float fallback) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw ApiException.badRequest(field + " must be a number", field, "invalid_type");
        }
        return v.floatValue();
    }

    private static int integer(JsonNode v, String field) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ApiException.badRequest(field + " must be an integer", field, "invalid_type");
        }
        return v.intValue();
    }

    private static boolean bool(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiException.badRequest(field + " must be a boolean", field, "invalid_type");
        }
        return v.booleanValue();
    }
}
