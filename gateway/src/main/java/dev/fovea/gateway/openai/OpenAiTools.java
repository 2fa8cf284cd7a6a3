package dev.fovea.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.chat.ResponseFormat;
import dev.fovea.gateway.chat.ToolSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads OpenAI's {@code response_format}, {@code tools} and {@code tool_choice}, and writes calls back as text. */
final class OpenAiTools {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TOOLS = 128;

    private OpenAiTools() {
    }

    static ResponseFormat responseFormat(JsonNode rf) {
        if (rf == null || rf.isNull()) {
            return ResponseFormat.TEXT;
        }
        String type = rf.path("type").asText("");
        return switch (type) {
            case "text" -> ResponseFormat.TEXT;
            case "json_object" -> new ResponseFormat(ResponseFormat.Kind.JSON_OBJECT, null, null);
            case "json_schema" -> {
                JsonNode js = rf.get("json_schema");
                if (js == null || !js.isObject()) {
                    throw ApiException.badRequest("response_format.json_schema must be an object with a schema",
                            "response_format.json_schema", "invalid_value");
                }
                JsonNode schema = js.get("schema");
                if (schema == null || !schema.isObject()) {
                    throw ApiException.badRequest("response_format.json_schema.schema must be a JSON schema object",
                            "response_format.json_schema.schema", "invalid_value");
                }
                yield new ResponseFormat(ResponseFormat.Kind.JSON_SCHEMA, schema.toString(),
                        js.path("name").asText(null));
            }
            default -> throw ApiException.badRequest("response_format.type must be text, json_object or json_schema, "
                    + "not " + ApiException.quote(type), "response_format.type", "invalid_value");
        };
    }

    static ToolSpec tools(JsonNode tools, JsonNode choice) {
        if (tools == null || tools.isNull() || tools.isEmpty()) {
            if (choice != null && !choice.isNull() && !(choice.isTextual() && choice.textValue().equals("none"))) {
                throw ApiException.badRequest("tool_choice needs tools", "tool_choice", "invalid_value");
            }
            return null;
        }
        if (tools.size() > MAX_TOOLS) {
            throw ApiException.badRequest("tools holds at most " + MAX_TOOLS + " functions", "tools", "invalid_value");
        }
        List<ToolSpec.Function> functions = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            String param = "tools[" + i + "]";
            if (!t.isObject() || !"function".equals(t.path("type").asText()) || !t.path("function").isObject()) {
                throw ApiException.badRequest(param + " must be {\"type\": \"function\", \"function\": {...}}", param,
                        "invalid_value");
            }
            JsonNode f = t.get("function");
            String name = f.path("name").asText("");
            if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
                throw ApiException.badRequest(param + ".function.name must be 1-64 letters, digits, _ or -", param
                        + ".function.name", "invalid_value");
            }
            if (!names.add(name)) {
                throw ApiException.badRequest("function " + name + " is named twice in tools", param, "invalid_value");
            }
            JsonNode parameters = f.get("parameters");
            if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
                throw ApiException.badRequest(param + ".function.parameters must be a JSON schema object",
                        param + ".function.parameters", "invalid_type");
            }
            // OpenAI: no parameters means a function without arguments
            String schema = parameters == null || parameters.isNull()
                    ? "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}" : parameters.toString();
            functions.add(new ToolSpec.Function(name, f.hasNonNull("description") ? f.get("description").asText()
                    : null, schema));
        }
        ToolSpec.Choice c = ToolSpec.Choice.AUTO;
        String named = null;
        if (choice != null && !choice.isNull()) {
            if (choice.isTextual()) {
                c = switch (choice.textValue()) {
                    case "none" -> ToolSpec.Choice.NONE;
                    case "auto" -> ToolSpec.Choice.AUTO;
                    case "required" -> ToolSpec.Choice.REQUIRED;
                    default -> throw ApiException.badRequest("tool_choice must be none, auto, required or "
                            + "{\"type\": \"function\", \"function\": {\"name\": ...}}", "tool_choice", "invalid_value");
                };
            } else {
                named = choice.path("function").path("name").asText(null);
                if (named == null) {
                    throw ApiException.badRequest("tool_choice.function.name is missing", "tool_choice",
                            "invalid_value");
                }
                c = ToolSpec.Choice.NAMED;
            }
        }
        return new ToolSpec(functions, c, named);
    }

    /** An assistant message's earlier {@code tool_calls}, as the call text the model writes. */
    static String callText(JsonNode calls, String param) {
        StringBuilder b = new StringBuilder();
        for (JsonNode call : calls) {
            JsonNode f = call.path("function");
            ObjectNode o = JSON.createObjectNode();
            o.put("name", f.path("name").asText(""));
            try {
                JsonNode args = f.hasNonNull("arguments") ? JSON.readTree(f.get("arguments").asText("{}"))
                        : JSON.createObjectNode();
                o.set("arguments", args);
            } catch (Exception e) {
                throw ApiException.badRequest(param + ".tool_calls: arguments must be JSON text", param
                        + ".tool_calls", "invalid_value");
            }
            if (!b.isEmpty()) {
                b.append('\n');
            }
            b.append(o);
        }
        return b.toString();
    }
}
