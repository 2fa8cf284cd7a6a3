package dev.fovea.engine.constrain;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The part of a JSON schema that constrained decoding enforces, as a tree {@link JsonSchemaCompiler} builds. Strings
 * that are matched byte by byte (property names, literals) are held as ISO-8859-1 strings of their UTF-8 bytes, so
 * one char is one byte of the output.
 */
sealed interface JsonSchema {

    /** Any JSON value ({@code json_object}'s members, {@code {}} or {@code true} as a schema). */
    record Any() implements JsonSchema {
    }

    /**
     * An object. With {@code properties} non-empty only those keys may appear, each once, and the object closes
     * once every {@code required} key is there; with none, any key may appear and its value is {@code additional}.
     */
    record Object(Map<String, JsonSchema> properties, Set<String> required, JsonSchema additional)
            implements JsonSchema {
    }

    record Array(JsonSchema items, int minItems, int maxItems) implements JsonSchema {
    }

    /** A string of {@code minLength} to {@code maxLength} characters (an escape counts as one). */
    record Str(int minLength, int maxLength) implements JsonSchema {
        static final Str ANY = new Str(0, Integer.MAX_VALUE);
    }

    record Num(boolean integer) implements JsonSchema {
    }

    /** One of fixed JSON texts (enum, const, true, false, null), each in its compact form. */
    record Literal(List<String> texts) implements JsonSchema {
    }

    /** Any of several schemas; those that start alike are followed together ({@code JsonMatcher}). */
    record AnyOf(List<JsonSchema> alternatives) implements JsonSchema {
    }

    /** A {@code $ref}, resolved when first used so that recursive schemas compile. */
    record Ref(String name, Supplier<JsonSchema> target) implements JsonSchema {
    }
}
