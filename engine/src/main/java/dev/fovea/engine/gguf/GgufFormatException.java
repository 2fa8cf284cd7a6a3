package dev.fovea.engine.gguf;

import java.io.IOException;

/** A GGUF file that is truncated, inconsistent or uses something the engine does not support. */
public final class GgufFormatException extends IOException {
    public GgufFormatException(String message) {
        super(message);
    }
}
