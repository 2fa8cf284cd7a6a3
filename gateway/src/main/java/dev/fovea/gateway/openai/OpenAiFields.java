package dev.fovea.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.gateway.ApiException;
import java.util.Map;

/**
 * The JSON type of every chat completion field OpenAI defines, checked before any field is read, so that a value of
 * the wrong type is a 400 naming the field whether or not Fovea uses it (OpenAI answers the same way). Fields
 * outside this table are ignored.
 */
final class OpenAiFields {
    /** The JSON types a field may take (null is always allowed: it means "not given"). */
    enum Kind {
        STRING("a string"), NUMBER("a number"), INTEGER("an integer"), BOOLEAN("a boolean"), OBJECT("an object"),
        ARRAY("an array"), STRING_OR_ARRAY("a string or an array"), STRING_OR_OBJECT("a string or an object");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        boolean accepts(JsonNode v) {
            return switch (this) {
                case STRING -> v.isTextual();
                case NUMBER -> v.isNumber();
                // 2.0 is not an integer here: OpenAI refuses it too, and a job's priority 1.5 must not pass as 1
                case INTEGER -> v.isIntegralNumber();
                case BOOLEAN -> v.isBoolean();
                case OBJECT -> v.isObject();
                case ARRAY -> v.isArray();
                case STRING_OR_ARRAY -> v.isTextual() || v.isArray();
                case STRING_OR_OBJECT -> v.isTextual() || v.isObject();
            };
        }
    }

    private static final Map<String, Kind> REQUEST = Map.ofEntries(
            Map.entry("model", Kind.STRING), Map.entry("messages", Kind.ARRAY),
            Map.entry("frequency_penalty", Kind.NUMBER), Map.entry("presence_penalty", Kind.NUMBER),
            Map.entry("logit_bias", Kind.OBJECT), Map.entry("logprobs", Kind.BOOLEAN),
            Map.entry("top_logprobs", Kind.INTEGER), Map.entry("max_tokens", Kind.INTEGER),
            Map.entry("max_completion_tokens", Kind.INTEGER), Map.entry("n", Kind.INTEGER),
            Map.entry("stream", Kind.BOOLEAN), Map.entry("stream_options", Kind.OBJECT),
            Map.entry("stop", Kind.STRING_OR_ARRAY), Map.entry("temperature", Kind.NUMBER),
            Map.entry("top_p", Kind.NUMBER), Map.entry("seed", Kind.INTEGER), Map.entry("tools", Kind.ARRAY),
            Map.entry("tool_choice", Kind.STRING_OR_OBJECT), Map.entry("parallel_tool_calls", Kind.BOOLEAN),
            Map.entry("functions", Kind.ARRAY), Map.entry("function_call", Kind.STRING_OR_OBJECT),
            Map.entry("user", Kind.STRING), Map.entry("response_format", Kind.OBJECT),
            Map.entry("service_tier", Kind.STRING), Map.entry("store", Kind.BOOLEAN),
            Map.entry("metadata", Kind.OBJECT), Map.entry("modalities", Kind.ARRAY),
            Map.entry("reasoning_effort", Kind.STRING), Map.entry("prediction", Kind.OBJECT),
            Map.entry("audio", Kind.OBJECT), Map.entry("web_search_options", Kind.OBJECT),
            Map.entry("top_k", Kind.INTEGER), Map.entry("min_p", Kind.NUMBER),
            Map.entry("repetition_penalty", Kind.NUMBER), Map.entry("fovea", Kind.OBJECT));

    private static final Map<String, Kind> MESSAGE = Map.of(
            "role", Kind.STRING, "content", Kind.STRING_OR_ARRAY, "name", Kind.STRING, "tool_call_id", Kind.STRING,
            "tool_calls", Kind.ARRAY, "function_call", Kind.OBJECT, "refusal", Kind.STRING);

    private static final Map<String, Kind> STREAM_OPTIONS = Map.of("include_usage", Kind.BOOLEAN);

    private static final Map<String, Kind> FOVEA = Map.of("encoders", Kind.STRING, "token_ids", Kind.BOOLEAN);

    private OpenAiFields() {
    }

    static void checkRequest(JsonNode body) {
        check(body, REQUEST, "");
        check(body.path("stream_options"), STREAM_OPTIONS, "stream_options.");
        check(body.path("fovea"), FOVEA, "fovea.");
    }

    /** @param path the message's parameter path, e.g. {@code messages[3]} */
    static void checkMessage(JsonNode message, String path) {
        check(message, MESSAGE, path + ".");
    }

    private static void check(JsonNode object, Map<String, Kind> fields, String prefix) {
        if (!object.isObject()) {
            return;
        }
        fields.forEach((name, kind) -> {
            JsonNode v = object.get(name);
            if (v != null && !v.isNull() && !kind.accepts(v)) {
                throw ApiException.badRequest(prefix + name + " must be " + kind.description + ", got "
                        + jsonType(v), prefix + name, "invalid_type");
            }
        });
    }

    /** A JSON value's type in JSON's own words. */
    static String jsonType(JsonNode v) {
        if (v.isTextual()) {
            return "a string";
        }
        if (v.isIntegralNumber()) {
            return "an integer";
        }
        if (v.isNumber()) {
            return "a number";
        }
        if (v.isBoolean()) {
            return "a boolean";
        }
        if (v.isArray()) {
            return "an array";
        }
        if (v.isObject()) {
            return "an object";
        }
        return "null";
    }
}
