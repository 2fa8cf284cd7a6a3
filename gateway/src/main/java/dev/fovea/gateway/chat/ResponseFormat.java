package dev.fovea.gateway.chat;

import dev.fovea.engine.constrain.JsonConstraint;
import dev.fovea.engine.constrain.UnsupportedSchemaException;
import dev.fovea.gateway.ApiException;
import dev.fovea.proto.v1.OutputFormat;

/**
 * OpenAI's {@code response_format}: free text, any JSON object, or JSON of a schema. The schema is compiled here
 * once, so a schema the engine cannot enforce is a 400 naming the feature before anything runs.
 *
 * @param schemaJson the schema as JSON text ({@code JSON_SCHEMA} only)
 * @param name       the schema's name as the client gave it
 */
public record ResponseFormat(Kind kind, String schemaJson, String name) {
    public enum Kind { TEXT, JSON_OBJECT, JSON_SCHEMA }

    public static final ResponseFormat TEXT = new ResponseFormat(Kind.TEXT, null, null);

    public ResponseFormat {
        if (kind == Kind.JSON_SCHEMA) {
            try {
                JsonConstraint.schema(schemaJson);
            } catch (UnsupportedSchemaException e) {
                throw ApiException.badRequest("response_format.json_schema.schema: " + e.getMessage(),
                        "response_format", "unsupported_schema");
            }
        }
    }

    /** The constraint for the LLM service, or null for free text. */
    public OutputFormat toProto() {
        return switch (kind) {
            case TEXT -> null;
            case JSON_OBJECT -> OutputFormat.newBuilder().setJsonObject(true).build();
            case JSON_SCHEMA -> OutputFormat.newBuilder().setJsonSchema(schemaJson).build();
        };
    }
}
