package dev.fovea.engine.constrain;

import dev.fovea.engine.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;

/**
 * Output that must be JSON, or JSON of a schema (OpenAI's {@code response_format} {@code json_object} and
 * {@code json_schema}): compiled once per request, then {@link #start} gives each sequence its
 * {@link TokenConstraint}, which lets the sampler see only tokens that keep the text a prefix of a valid value.
 */
public final class JsonConstraint {
    private final JsonSchema schema;
    private final String description;

    private JsonConstraint(JsonSchema schema, String description) {
        this.schema = schema;
        this.description = description;
    }

    /** Any JSON object ({@code json_object}). */
    public static JsonConstraint anyObject() {
        return new JsonConstraint(new JsonSchema.Object(java.util.Map.of(), java.util.Set.of(),
                new JsonSchema.Any()), "json_object");
    }

    /**
     * A value of {@code schemaJson}.
     *
     * @throws UnsupportedSchemaException naming the keyword or construct that cannot be enforced
     */
    public static JsonConstraint schema(String schemaJson) {
        return new JsonConstraint(JsonSchemaCompiler.compile(schemaJson), "json_schema");
    }

    /** The per-sequence state over {@code tokenizer}'s vocabulary. */
    public TokenConstraint start(Tokenizer tokenizer) {
        return new TokenConstraint(JsonMatcher.start(schema), TokenTrie.of(tokenizer), tokenizer);
    }

    /** Whether {@code text} is a whole value this constraint accepts (the matcher alone, for checks). */
    public boolean accepts(String text) {
        JsonMatcher m = JsonMatcher.start(schema);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            m = m.advance(b & 0xFF);
            if (m == null) {
                return false;
            }
        }
        return m.canEnd();
    }

    @Override
    public String toString() {
        return description;
    }
}
