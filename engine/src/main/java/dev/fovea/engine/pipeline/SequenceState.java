package dev.fovea.engine.pipeline;

import dev.fovea.engine.constrain.TokenConstraint;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.sampling.Sampler;
import dev.fovea.engine.tokenizer.Tokenizer;
import dev.fovea.engine.tokenizer.Utf8StreamDecoder;
import java.util.Arrays;
import java.util.List;

/**
 * The sampling side of one generating sequence: turns each step's logits into the next token and streams its
 * text, holding back text that could still become a stop string. Shared by the single-sequence {@link Generator}
 * and the {@link BatchScheduler}, so both stop, decode and report identically.
 */
final class SequenceState {
    /** Room for generated tokens before the arrays first grow (they double, so memory follows the output). */
    private static final int INITIAL_ROOM = 64;
    private final Tokenizer tokenizer;
    private final GenerationConfig config;
    private final TokenListener listener;
    private final Sampler sampler;
    /** The output's language (JSON of a schema), or null for free text. */
    private final TokenConstraint constraint;
    private final int inputLength;
    /** Input token ids then generated ones; grows with the sequence, never sized by the token limit up front. */
    private int[] history;
    private int historyLength;
    private int[] generated;
    private int generatedCount;
    private final Utf8StreamDecoder utf8 = new Utf8StreamDecoder();
    private final StringBuilder text = new StringBuilder();
    /** Text before this index has been emitted and can no longer be part of a stop string. */
    private int keptChars;
    private FinishReason finishReason;
    private final long startNanos = System.nanoTime();
    private long firstTokenNanos;

    SequenceState(Tokenizer tokenizer, List<Segment> input, GenerationConfig config, TokenListener listener) {
        this.tokenizer = tokenizer;
        this.config = config;
        this.listener = listener;
        this.sampler = new Sampler(config.sampler());
        this.constraint = config.constraint() == null ? null : config.constraint().start(tokenizer);
        this.inputLength = input.stream().mapToInt(Segment::length).sum();
        int inputTokens = input.stream().mapToInt(s -> s instanceof Segment.Tokens t ? t.ids().length : 0).sum();
        this.history = new int[inputTokens + INITIAL_ROOM];
        for (Segment s : input) {
            if (s instanceof Segment.Tokens t) {
                System.arraycopy(t.ids(), 0, history, historyLength, t.ids().length);
                historyLength += t.ids().length;
            }
        }
        this.generated = new int[INITIAL_ROOM];
        if (config.maxTokens() == 0) {
            finishReason = FinishReason.LENGTH;
        }
    }

    int inputLength() {
        return inputLength;
    }

    boolean finished() {
        return finishReason != null;
    }

    /**
     * Takes the logits after the latest position. Returns the token to feed next, or -1 when the sequence has
     * finished (end-of-generation, stop string, token limit, or the listener cancelled).
     */
    int accept(float[] logits) {
        if (finished()) {
            return -1;
        }
        if (firstTokenNanos == 0) {
            firstTokenNanos = System.nanoTime();
        }
        int token;
        if (constraint != null) {
            float[] masked = logits.clone();
            if (!constraint.mask(masked)) {
                return finish(FinishReason.STOP); // the value is whole and nothing may follow it
            }
            token = sampler.sample(masked, history, historyLength);
            if (masked[token] == Float.NEGATIVE_INFINITY) {
                token = Sampler.argmax(masked); // a draw can round onto a masked token; never emit one
            }
            if (tokenizer.isEndOfGeneration(token)) {
                return finish(FinishReason.STOP); // allowed only once the value is whole, ignoreEos or not
            }
            constraint.accept(token);
        } else {
            token = sampler.sample(logits, history, historyLength);
        }
        if (!config.ignoreEos() && tokenizer.isEndOfGeneration(token)) {
            return finish(FinishReason.STOP);
        }
        TokenLogprobs logprobs = config.topLogprobs() >= 0
                ? TokenLogprobs.of(logits, token, config.topLogprobs()) : null;
        if (generatedCount == generated.length) {
            generated = Arrays.copyOf(generated, generated.length * 2);
        }
        if (historyLength == history.length) {
            history = Arrays.copyOf(history, history.length * 2);
        }
        generated[generatedCount++] = token;
        history[historyLength++] = token;
        text.append(utf8.feed(tokenizer.tokenBytes(token)));
        int stopAt = findStop();
        if (stopAt >= 0) {
            text.setLength(stopAt);
            return finish(FinishReason.STOP);
        }
        int safe = Math.max(keptChars, safeLength());
        String emit = text.substring(keptChars, safe);
        keptChars = safe;
        if (!listener.onToken(token, emit, logprobs)) {
            finishReason = FinishReason.CANCELLED;
            return -1;
        }
        if (generatedCount >= config.maxTokens()) {
            return finish(FinishReason.LENGTH);
        }
        return token;
    }

    /** Ends the sequence from outside (context full, caller gone). */
    void end(FinishReason reason) {
        if (!finished()) {
            if (reason == FinishReason.CANCELLED) {
                finishReason = reason;
            } else {
                finish(reason);
            }
        }
    }

    private int finish(FinishReason reason) {
        finishReason = reason;
        text.append(utf8.flush());
        if (keptChars < text.length()) {
            listener.onToken(-1, text.substring(keptChars));
            keptChars = text.length();
        }
        return -1;
    }

    /** Time spent masking logits for the constraint (0 without one), for benchmarks. */
    long constraintNanos() {
        return constraint == null ? 0 : constraint.maskNanos();
    }

    GenerationResult result() {
        long end = System.nanoTime();
        long first = firstTokenNanos == 0 ? end : firstTokenNanos;
        return new GenerationResult(inputLength, Arrays.copyOf(generated, generatedCount), text.toString(),
                finishReason == null ? FinishReason.LENGTH : finishReason, (first - startNanos) / 1e6,
                (end - first) / 1e6);
    }

    private int findStop() {
        int best = -1;
        for (String s : config.stop()) {
            int i = text.indexOf(s, Math.max(0, keptChars - s.length()));
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    /** Length of the prefix of the text that no stop string can still start in. */
    private int safeLength() {
        int safe = text.length();
        for (String s : config.stop()) {
            for (int k = Math.min(s.length() - 1, text.length()); k > 0; k--) {
                if (text.length() - k < safe && s.startsWith(text.substring(text.length() - k))) {
                    safe = text.length() - k;
                    break;
                }
            }
        }
        return safe;
    }
}
