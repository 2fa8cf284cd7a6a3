package dev.fovea.engine.pipeline;

/** Receives generated tokens as they come; returning false cancels the generation. */
@FunctionalInterface
public interface TokenListener {
    /** {@code text} holds the complete UTF-8 characters this token finished (may be empty). */
    boolean onToken(int token, String text);

    /**
     * As {@link #onToken(int, String)}, with the position's log-probabilities when the generation asked for them
     * ({@link GenerationConfig#topLogprobs} ≥ 0; null otherwise, and for the text flushed at the end).
     */
    default boolean onToken(int token, String text, TokenLogprobs logprobs) {
        return onToken(token, text);
    }

    TokenListener NONE = (token, text) -> true;
}
