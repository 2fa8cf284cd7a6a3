package dev.fovea.engine.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.engine.Progress;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.sampling.Sampler;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.testing.ConformanceCase;
import dev.fovea.engine.testing.Similarity;
import dev.fovea.testsupport.NeedsConformance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@code llm} case of the conformance fixtures (the main set and {@code quant-types/}): logits at every prompt position and 24 greedy steps against
 * llama.cpp's, with the README's tolerances. Input tokens come from the reference so that this test checks the
 * decoder alone (the tokenizer has its own tests).
 */
@NeedsConformance
class LlmConformanceTest {

    /**
     * Prompt rows at a traced rounding tie, with the cosine floor they are held to instead of 0.999. In
     * quant-types' Q3_K_M case one value of token 9's attention output, quantized to Q8_K for the Q4_K
     * {@code attn_output}, lands at 73.5000018 quant steps: 2.5e-8 from the rounding boundary, below one float ulp,
     * so the 1-ulp differences of our F32 attention from llama.cpp's (its vector expf, its summation order) round it
     * to 74 here and to 73 there. Scaling every Q8_K input by (1 − 1e-7) reproduces llama.cpp's rows exactly
     * (cosine 1.0000000 on all 12), and that is the only quant of the run that changes; the rows after it inherit
     * the difference through the cache.
     */
    private static final Map<String, double[]> ROUNDING_TIE_FLOORS = Map.of(
            "llama-spm-q3_k_m.p0", new double[] {0.999, 0.999, 0.999, 0.999, 0.999, 0.999, 0.999, 0.999, 0.999,
                    0.998, 0.9995, 0.9995});

    static List<ConformanceCase> cases() {
        List<ConformanceCase> all = new ArrayList<>(ConformanceCase.all("llm"));
        all.addAll(ConformanceCase.all("llm", "quant-types"));
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void promptLogitsMatchLlamaCpp(ConformanceCase c) throws Exception {
        int[] prompt = c.ints("prompt_tokens");
        float[] expected = c.floats(".prompt_logits.f32");
        int vocab = c.nVocab();
        try (GgufFile f = GgufFile.open(c.modelPath())) {
            DecoderModel model = DecoderModel.load(f, Parallel.shared(), Progress.NONE);
            assertThat(model.config().vocabSize()).isEqualTo(vocab);
            KvCache cache = model.newCache(prompt.length + 32);
            float[] logits = model.forward(cache, List.of(Segment.tokens(prompt)), true);
            assertThat(logits).hasSize(expected.length);
            double minCos = 1;
            for (int r = 0; r < prompt.length; r++) {
                double cos = Similarity.cosine(logits, r * vocab, expected, r * vocab, vocab);
                minCos = Math.min(minCos, cos);
                double maxDiff = Similarity.maxAbsDiff(logits, r * vocab, expected, r * vocab, vocab);
                double scale = Similarity.maxAbs(expected, r * vocab, vocab);
                if (c.quantized()) {
                    double[] floors = ROUNDING_TIE_FLOORS.get(c.toString());
                    assertThat(cos).as("row %d cosine", r).isGreaterThanOrEqualTo(floors == null ? 0.999 : floors[r]);
                } else {
                    assertThat(cos).as("row %d cosine", r).isGreaterThanOrEqualTo(0.9999);
                    assertThat(maxDiff).as("row %d max |Δ| vs max |logit| %f", r, scale)
                            .isLessThanOrEqualTo(1e-3 * scale);
                }
            }
            System.out.printf("%s: %d prompt rows, min cosine %.7f%n", c, prompt.length, minCos);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void greedyTokensMatchLlamaCpp(ConformanceCase c) throws Exception {
        int[] prompt = c.ints("prompt_tokens");
        int[] expectedTokens = c.ints("greedy_tokens");
        double[] margins = c.doubles("greedy_margins");
        float[] expectedLast = c.floats(".last_logits.f32");
        double nearTie = c.quantized() ? 0.05 : 1e-3;
        try (GgufFile f = GgufFile.open(c.modelPath())) {
            DecoderModel model = DecoderModel.load(f, Parallel.shared(), Progress.NONE);
            KvCache cache = model.newCache(prompt.length + expectedTokens.length + 1);
            float[] logits = model.forward(cache, List.of(Segment.tokens(prompt)), false);
            double cos = Similarity.cosine(logits, 0, expectedLast, 0, logits.length);
            assertThat(cos).isGreaterThanOrEqualTo(c.quantized() ? 0.999 : 0.9999);
            int first = Sampler.argmax(logits);
            // even at a near-tie the first pick must be one of the tied tokens: within the reference's margin
            assertThat((double) expectedLast[first])
                    .as("reference logit of our first token %d", first)
                    .isGreaterThanOrEqualTo(expectedLast[expectedTokens[0]] - Math.max(margins[0], 1e-4) - 1e-3);
            int compared = 0;
            for (int step = 0; step < expectedTokens.length; step++) {
                int token = step == 0 ? first : Sampler.argmax(logits);
                if (margins[step] < nearTie) {
                    break; // a near-tie: llama.cpp's choice there is down to rounding
                }
                assertThat(token).as("greedy step %d", step).isEqualTo(expectedTokens[step]);
                compared++;
                logits = model.forward(cache, List.of(Segment.tokens(token)), false);
            }
            System.out.printf("%s: %d/%d greedy tokens equal (compared up to the first near-tie)%n", c, compared,
                    expectedTokens.length);
        }
    }
}
