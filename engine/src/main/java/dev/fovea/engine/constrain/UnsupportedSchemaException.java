package dev.fovea.engine.constrain;

/** A JSON schema that constrained decoding cannot enforce; the message names the feature and where it is. */
public final class UnsupportedSchemaException extends IllegalArgumentException {
    UnsupportedSchemaException(String message) {
        super(message);
    }
}
