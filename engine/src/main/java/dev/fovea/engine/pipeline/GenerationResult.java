package dev.fovea.engine.pipeline;

/**
 * What a generation produced.
 *
 * @param promptTokens number of input positions (tokens and embeddings)
 * @param tokens       generated token ids (up to and excluding an end-of-generation token)
 * @param text         decoded text, cut before a stop string
 * @param finishReason why it ended
 * @param promptMillis time to evaluate the input (time to first token)
 * @param decodeMillis time spent generating after the first token
 */
public record GenerationResult(int promptTokens, int[] tokens, String text, FinishReason finishReason,
                               double promptMillis, double decodeMillis) {

    /** Input positions per second. */
    public double promptTokensPerSecond() {
        return promptMillis > 0 ? promptTokens * 1000.0 / promptMillis : 0;
    }

    /** Generated tokens per second, first token excluded (it comes with the prompt). */
    public double decodeTokensPerSecond() {
        return decodeMillis > 0 && tokens.length > 1 ? (tokens.length - 1) * 1000.0 / decodeMillis : 0;
    }
}
