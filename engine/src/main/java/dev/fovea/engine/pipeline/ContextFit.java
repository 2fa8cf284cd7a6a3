package dev.fovea.engine.pipeline;

/**
 * The one rule for whether a request fits a model's context: its input plus the tokens it may generate. Checked
 * in {@code long} so that a token limit near {@code Integer.MAX_VALUE} cannot wrap around, and before anything is
 * allocated for the request.
 */
final class ContextFit {
    private ContextFit() {
    }

    static void check(long inputLength, long maxTokens, long context) {
        if (maxTokens < 0) {
            throw new IllegalArgumentException("max_tokens must be ≥ 0");
        }
        if (inputLength > context) {
            throw new IllegalArgumentException("the input's " + inputLength
                    + " positions exceed the model's context of " + context + " positions");
        }
        if (inputLength + maxTokens > context) {
            throw new IllegalArgumentException("max_tokens " + maxTokens + " plus the input's " + inputLength
                    + " positions exceeds the model's context of " + context + " positions (at most "
                    + (context - inputLength) + " for this input)");
        }
    }
}
