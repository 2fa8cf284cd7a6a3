package dev.fovea.engine.pipeline;

/** Receives generated tokens as they come; returning false cancels the generation. */
@FunctionalInterface
public interface TokenListener {
    /** {@code text} holds the complete UTF-8 characters this token finished (may be empty). */
    boolean onToken(int token, String text);

    TokenListener NONE = (token, text) -> true;
}
