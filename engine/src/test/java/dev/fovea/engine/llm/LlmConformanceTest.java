package dev.fovea.engine.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.engine.Progress;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.sampling.Sampler;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.testing.ConformanceCase;
import dev.fovea.engine.testing.Similarity;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@code llm} case of the conformance fixtures: logits at every prompt position and 24 greedy steps against
 * llama.cpp's, with the README's tolerances. Input tokens come from the reference so that this test checks the
 * decoder alone (the tokenizer has its own tests).
 */
class LlmConformanceTest {

    static List<ConformanceCase> cases() {
        return ConformanceCase.all("llm");
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
                    assertThat(cos).as("row %d cosine", r).isGreaterThanOrEqualTo(0.999);
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
