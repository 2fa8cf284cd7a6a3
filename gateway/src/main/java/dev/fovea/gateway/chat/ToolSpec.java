package dev.fovea.gateway.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.engine.constrain.JsonConstraint;
import dev.fovea.engine.constrain.UnsupportedSchemaException;
import dev.fovea.gateway.ApiException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The functions a request offers ({@code tools}) and how the model may use them ({@code tool_choice}). A call is a
 * JSON object {@code {"name": …, "arguments": {…}}}: the tools and this convention go into a system message, and
 * when a call is required ({@code required}, or a named function) the output is constrained to a call of the
 * allowed functions, each with its own parameter schema, so the arguments always parse and validate. With
 * {@code auto} the model writes freely and an answer that is such a call becomes {@code tool_calls}.
 */
public record ToolSpec(List<Function> functions, Choice choice, String named) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Choice { NONE, AUTO, REQUIRED, NAMED }

    /** @param parameters the function's parameter schema as JSON text */
    public record Function(String name, String description, String parameters) {
    }

    public ToolSpec {
        functions = List.copyOf(functions);
        if (choice == Choice.NAMED && functions.stream().noneMatch(f -> f.name().equals(named))) {
            throw ApiException.badRequest("tool_choice names function " + ApiException.quote(named)
                    + ", which is not among the tools", "tool_choice", "invalid_value");
        }
        if (choice != Choice.NONE) {
            callSchema(allowed(functions, choice, named)); // every parameter schema must be one the engine enforces
        }
    }

    /** Whether the tools take part at all ({@code tool_choice} none leaves them out of the prompt). */
    public boolean active() {
        return choice != Choice.NONE && !functions.isEmpty();
    }

    /** Whether the output must be a call (and is then constrained to one). */
    public boolean callRequired() {
        return choice == Choice.REQUIRED || choice == Choice.NAMED;
    }

    /** The system message that offers the functions and states the call convention. */
    public String systemPrompt() {
        ArrayNode list = JSON.createArrayNode();
        for (Function f : allowed()) {
            ObjectNode o = list.addObject();
            o.put("name", f.name());
            if (f.description() != null) {
                o.put("description", f.description());
            }
            o.set("parameters", parse(f.parameters()));
        }
        return "You can call these functions:\n" + list + "\nTo call one, answer with only a JSON object "
                + "{\"name\": <function name>, \"arguments\": <its arguments as a JSON object>}"
                + (callRequired() ? "." : "; otherwise answer in plain text.");
    }

    /** The schema of one call of an allowed function (an anyOf over them when there are several). */
    public String callConstraintSchema() {
        return callSchema(allowed());
    }

    private static String callSchema(List<Function> allowed) {
        ArrayNode alternatives = JSON.createArrayNode();
        for (Function f : allowed) {
            ObjectNode call = alternatives.addObject();
            call.put("type", "object");
            ObjectNode props = call.putObject("properties");
            props.putObject("name").put("const", f.name());
            props.set("arguments", parse(f.parameters()));
            call.putArray("required").add("name").add("arguments");
            call.put("additionalProperties", false);
        }
        String schema = alternatives.size() == 1 ? alternatives.get(0).toString()
                : JSON.createObjectNode().set("anyOf", alternatives).toString();
        try {
            JsonConstraint.schema(schema);
        } catch (UnsupportedSchemaException e) {
            throw ApiException.badRequest("tools: a function's parameters: " + e.getMessage(), "tools",
                    "unsupported_schema");
        }
        return schema;
    }

    /** The call {@code text} makes, if it is one of an allowed function (the whole answer, JSON). */
    public Optional<ToolCall> parseCall(String text) {
        JsonNode n;
        try {
            n = JSON.readTree(text.strip());
        } catch (Exception e) {
            return Optional.empty();
        }
        if (n == null || !n.isObject() || !n.path("name").isTextual() || !n.path("arguments").isObject()) {
            return Optional.empty();
        }
        String name = n.get("name").textValue();
        if (allowed().stream().noneMatch(f -> f.name().equals(name))) {
            return Optional.empty();
        }
        return Optional.of(new ToolCall("call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24),
                name, n.get("arguments").toString()));
    }

    private List<Function> allowed() {
        return allowed(functions, choice, named);
    }

    private static List<Function> allowed(List<Function> functions, Choice choice, String named) {
        return choice == Choice.NAMED ? functions.stream().filter(f -> f.name().equals(named)).toList() : functions;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw ApiException.badRequest("tools: parameters must be a JSON schema object", "tools", "invalid_value");
        }
    }
}
