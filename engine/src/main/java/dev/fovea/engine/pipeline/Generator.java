package dev.fovea.engine.pipeline;

import dev.fovea.engine.llm.DecoderModel;
import dev.fovea.engine.llm.KvCache;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.sampling.Sampler;
import dev.fovea.engine.tokenizer.Tokenizer;
import dev.fovea.engine.tokenizer.Utf8StreamDecoder;
import java.util.ArrayList;
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
        int inputLength = input.stream().mapToInt(Segment::length).sum();
        int[] history = new int[inputLength + config.maxTokens()];
        int historyLength = 0;
        for (Segment s : input) {
            if (s instanceof Segment.Tokens t) {
                System.arraycopy(t.ids(), 0, history, historyLength, t.ids().length);
                historyLength += t.ids().length;
            }
        }
        Sampler sampler = new Sampler(config.sampler());
        long t0 = System.nanoTime();
        float[] logits = model.forward(cache, input, false);
        long tFirst = System.nanoTime();

        List<Integer> out = new ArrayList<>();
        Utf8StreamDecoder utf8 = new Utf8StreamDecoder();
        StringBuilder text = new StringBuilder();
        FinishReason reason = FinishReason.LENGTH;
        int keptChars = 0; // text before this index can no longer be part of a stop string
        while (out.size() < config.maxTokens()) {
            int token = sampler.sample(logits, history, historyLength);
            if (!config.ignoreEos() && tokenizer.isEndOfGeneration(token)) {
                reason = FinishReason.STOP;
                break;
            }
            out.add(token);
            history[historyLength++] = token;
            String piece = utf8.feed(tokenizer.tokenBytes(token));
            text.append(piece);
            int stopAt = findStop(text, config.stop(), keptChars);
            if (stopAt >= 0) {
                text.setLength(stopAt);
                reason = FinishReason.STOP;
                break;
            }
            // hold back any tail that could still grow into a stop string
            int safe = safeLength(text, config.stop());
            String emit = text.substring(keptChars, Math.max(keptChars, safe));
            keptChars = Math.max(keptChars, safe);
            if (!listener.onToken(token, emit)) {
                reason = FinishReason.CANCELLED;
                break;
            }
            if (out.size() >= config.maxTokens() || cache.length() >= cache.capacity()) {
                reason = FinishReason.LENGTH;
                break;
            }
            logits = model.forward(cache, List.of(Segment.tokens(token)), false);
        }
        if (reason != FinishReason.CANCELLED && keptChars < text.length()) {
            listener.onToken(-1, text.substring(keptChars));
        }
        long tEnd = System.nanoTime();
        int[] tokens = out.stream().mapToInt(Integer::intValue).toArray();
        return new GenerationResult(inputLength, tokens, text.toString(), reason, (tFirst - t0) / 1e6,
                (tEnd - tFirst) / 1e6);
    }

    private static int findStop(StringBuilder text, List<String> stops, int from) {
        int best = -1;
        for (String s : stops) {
            int i = text.indexOf(s, Math.max(0, from - s.length()));
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    /** Length of the prefix of {@code text} that no stop string can still start in. */
    private static int safeLength(StringBuilder text, List<String> stops) {
        int safe = text.length();
        for (String s : stops) {
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
