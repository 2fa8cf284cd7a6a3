package dev.fovea.engine.pipeline;

import dev.fovea.engine.llm.DecoderModel;
import dev.fovea.engine.llm.KvCache;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.tokenizer.Tokenizer;
import java.util.List;

/** Runs one sequence: evaluates the input segments, then samples tokens until a stop condition. */
public final class Generator {
    private final DecoderModel model;
    private final Tokenizer tokenizer;

    public Generator(LanguageModel lm) {
        this(lm.decoder(), lm.tokenizer());
    }

    public Generator(DecoderModel model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /**
     * Generates from {@code input} with a fresh KV cache sized to the input plus {@code maxTokens}.
     *
     * @throws IllegalArgumentException when the input plus {@code maxTokens} does not fit the model's context
     */
    public GenerationResult generate(List<Segment> input, GenerationConfig config, TokenListener listener) {
        long inputLength = input.stream().mapToLong(Segment::length).sum();
        ContextFit.check(inputLength, config.maxTokens(), model.config().contextLength());
        // the last generated token is never fed back, so input + maxTokens positions are enough
        KvCache cache = model.newCache((int) Math.max(1, inputLength + config.maxTokens()));
        return generate(cache, input, config, listener);
    }

    /**
     * Generates from {@code input} appended to what {@code cache} already holds; ends with
     * {@link FinishReason#LENGTH} when the cache is full.
     *
     * @throws IllegalArgumentException when the input does not fit what is left of the cache
     */
    public GenerationResult generate(KvCache cache, List<Segment> input, GenerationConfig config,
                                     TokenListener listener) {
        long inputLength = input.stream().mapToLong(Segment::length).sum();
        if (cache.length() + inputLength > cache.capacity()) {
            throw new IllegalArgumentException("the input's " + inputLength + " positions exceed the "
                    + (cache.capacity() - cache.length()) + " positions left in the context");
        }
        SequenceState seq = new SequenceState(tokenizer, input, config, listener);
        if (seq.finished()) {
            return seq.result();
        }
        float[] logits = model.forward(cache, input, false);
        int token;
        while ((token = seq.accept(logits)) >= 0) {
            if (cache.length() >= cache.capacity()) {
                seq.end(FinishReason.LENGTH);
                break;
            }
            logits = model.forward(cache, List.of(Segment.tokens(token)), false);
        }
        return seq.result();
    }
}
