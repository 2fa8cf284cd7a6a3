package dev.fovea.engine.gguf;

import java.io.IOException;
import java.nio.file.Path;

/** A GGUF file that is truncated, inconsistent or uses something the engine does not support. */
public final class GgufFormatException extends IOException {
    public GgufFormatException(String message) {
        super(message);
    }

    public GgufFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A model-loading failure as it should reach people: a format error or a refused value (an
     * {@link IllegalArgumentException} from a config) with the file's name leading the message, added where the
     * code that found the problem did not know the file.
     */
    public static GgufFormatException naming(Path file, Exception e) {
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        String message = e.getMessage() == null ? "malformed model file" : e.getMessage();
        if (e instanceof GgufFormatException g && message.contains(name)) {
            return g;
        }
        return message.contains(name) ? new GgufFormatException(message, e)
                : new GgufFormatException(file + ": " + message, e);
    }
}
