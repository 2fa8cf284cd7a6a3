package dev.fovea.cli;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufKeys;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A model's context length read from its GGUF header alone, so that a request that cannot fit is refused before
 * the weights are loaded (seconds for a large model).
 */
final class ModelContext {
    /** llama.cpp's default when a file does not say. */
    private static final int DEFAULT_CONTEXT = 2048;

    private ModelContext() {
    }

    static int of(Path model) throws IOException {
        try (GgufFile f = GgufFile.open(model)) {
            return f.getInt(GgufKeys.contextLength(f.architecture()), DEFAULT_CONTEXT);
        }
    }

    /** Refuses a token count ({@code flag} names it) that is negative or does not fit the context. */
    static void checkTokens(String flag, long tokens, int context) {
        checkTokens(flag, tokens, 0, "", context);
    }

    /**
     * Refuses a token count ({@code flag} names it) that is negative or, with {@code reserved} other positions
     * ({@code reservedWhat} says which), does not fit the context.
     */
    static void checkTokens(String flag, long tokens, long reserved, String reservedWhat, int context) {
        if (tokens < 0) {
            throw new IllegalArgumentException(flag + " must be ≥ 0, got " + tokens);
        }
        if (tokens + reserved > context) {
            throw new IllegalArgumentException(flag + " " + tokens + (reserved > 0 ? " plus " + reservedWhat : "")
                    + " exceeds the model's context of " + context + " positions");
        }
    }
}
