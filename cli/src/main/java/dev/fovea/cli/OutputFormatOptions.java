package dev.fovea.cli;

import dev.fovea.engine.constrain.JsonConstraint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Constrained output for the commands that generate: JSON, or JSON of a schema (as response_format does). */
final class OutputFormatOptions {
    @Option(names = "--json-schema", paramLabel = "SCHEMA",
            description = "Constrain the output to JSON of this schema (JSON text).")
    String schema;

    @Option(names = "--json-schema-file", paramLabel = "FILE",
            description = "Constrain the output to JSON of the schema in FILE.")
    Path schemaFile;

    @Option(names = "--json-object", description = "Constrain the output to a JSON object.")
    boolean jsonObject;

    /** The constraint asked for, or null; a schema the engine cannot enforce is an error naming the feature. */
    JsonConstraint constraint() throws IOException {
        int given = (schema != null ? 1 : 0) + (schemaFile != null ? 1 : 0) + (jsonObject ? 1 : 0);
        if (given > 1) {
            throw new IllegalArgumentException("give one of --json-schema, --json-schema-file and --json-object");
        }
        if (schemaFile != null) {
            if (!Files.isRegularFile(schemaFile)) {
                throw new IllegalArgumentException("--json-schema-file: no file " + schemaFile);
            }
            return JsonConstraint.schema(Files.readString(schemaFile));
        }
        if (schema != null) {
            return JsonConstraint.schema(schema);
        }
        return jsonObject ? JsonConstraint.anyObject() : null;
    }
}
