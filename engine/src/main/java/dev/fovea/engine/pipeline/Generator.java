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

    /** Generates from {@code input} with a fresh KV cache sized to the input plus {@code maxTokens}. */
    public GenerationResult generate(List<Segment> input, GenerationConfig config, TokenListener listener) {
        int inputLength = input.stream().mapToInt(Segment::length).sum();
        int capacity = Math.min(inputLength + Math.max(1, config.maxTokens()), Math.max(model.config().contextLength(),
                inputLength + 1));
        KvCache cache = model.newCache(capacity);
        return generate(cache, input, config, listener);
    }

    /** Generates from {@code input} appended to what {@code cache} already holds. */
    public GenerationResult generate(KvCache cache, List<Segment> input, GenerationConfig config,
                                     TokenListener listener) {
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
