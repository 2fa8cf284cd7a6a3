package dev.fovea.engine.constrain;

import dev.fovea.engine.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * One sequence's place in a {@link JsonConstraint}: masks the logits of tokens that cannot come next and follows
 * the tokens chosen. Not thread-safe (a sequence samples on one thread at a time).
 */
public final class TokenConstraint {
    private final TokenTrie trie;
    private final Tokenizer tokenizer;
    private final boolean[] allowed;
    private JsonMatcher state;
    private long maskNanos;
    private int masks;

    TokenConstraint(JsonMatcher start, TokenTrie trie, Tokenizer tokenizer) {
        this.state = start;
        this.trie = trie;
        this.tokenizer = tokenizer;
        this.allowed = new boolean[trie.vocabSize()];
    }

    /**
     * Sets the logits of every token that cannot come next to -∞: tokens whose text would leave the language, and
     * the end-of-generation tokens until the value is whole. Returns false when no token is left (the value is
     * finished and the vocabulary has no end token).
     */
    public boolean mask(float[] logits) {
        long t0 = System.nanoTime();
        Arrays.fill(allowed, false);
        if (!state.isDone()) {
            trie.allowed(state, allowed);
        }
        if (state.canEnd()) {
            for (int id : trie.endTokens()) {
                allowed[id] = true;
            }
        }
        boolean any = false;
        int n = Math.min(logits.length, allowed.length);
        for (int i = 0; i < n; i++) {
            if (allowed[i]) {
                any = true;
            } else {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
        for (int i = n; i < logits.length; i++) {
            logits[i] = Float.NEGATIVE_INFINITY; // padded output rows beyond the vocabulary
        }
        maskNanos += System.nanoTime() - t0;
        masks++;
        return any;
    }

    /** Follows the chosen token; an end-of-generation token or one outside the language leaves the state as is. */
    public void accept(int token) {
        if (tokenizer.isEndOfGeneration(token)) {
            return;
        }
        JsonMatcher s = state;
        for (byte b : tokenizer.tokenBytes(token)) {
            s = s.advance(b & 0xFF);
            if (s == null) {
                throw new IllegalStateException("token " + token + " was sampled outside the constraint");
            }
        }
        state = s;
    }

    /** Whether the text so far is a whole value. */
    public boolean complete() {
        return state.canEnd();
    }

    /** Total time spent masking, for the benchmark's report. */
    public long maskNanos() {
        return maskNanos;
    }

    public int masks() {
        return masks;
    }
}
