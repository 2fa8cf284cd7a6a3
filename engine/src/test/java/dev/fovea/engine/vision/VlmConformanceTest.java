package dev.fovea.engine.vision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.engine.Progress;
import dev.fovea.engine.adapter.Projector;
import dev.fovea.engine.adapter.ProjectorRegistry;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.llm.DecoderModel;
import dev.fovea.engine.llm.KvCache;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.sampling.Sampler;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.testing.ConformanceCase;
import dev.fovea.engine.testing.Similarity;
import dev.fovea.testsupport.NeedsConformance;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every vlm case: the image's projector output, then the LLM over prompt + image + suffix, against llama.cpp. */
@NeedsConformance
class VlmConformanceTest {
    static List<ConformanceCase> cases() {
        return ConformanceCase.all("vlm");
    }

    private static float[] embed(ConformanceCase c) throws Exception {
        try (GgufFile f = GgufFile.open(c.mmprojPath())) {
            ClipVisionEncoder encoder = ClipVisionEncoder.load(f);
            Projector projector = ProjectorRegistry.load(f);
            RgbImage img = new ImageDecoder().decode(Files.readAllBytes(c.imagePath()));
            FeatureMap features = encoder.encode(encoder.preprocessor().apply(img), Parallel.shared());
            return projector.project(List.of(features), Parallel.shared()).data();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void imageEmbeddingsMatchLlamaCpp(ConformanceCase c) throws Exception {
        float[] expected = c.floats(".image_embd.f32");
        int n = c.intField("n_image_pos");
        int d = c.intField("n_mmproj_embd");
        float[] actual = embed(c);
        assertThat(actual).hasSize(n * d).hasSameSizeAs(expected);
        // the README's tolerance: 0.999 for the square image, 0.99 where resampling differs (non-square)
        double threshold = c.image().contains("shapes56") ? 0.999 : 0.99;
        double min = 1;
        for (int r = 0; r < n; r++) {
            double cos = Similarity.cosine(actual, r * d, expected, r * d, d);
            min = Math.min(min, cos);
            assertThat(cos).as("row %d cosine", r).isGreaterThanOrEqualTo(threshold);
        }
        System.out.printf("%s: %d image rows, min cosine %.7f%n", c, n, min);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void logitsAndGreedyTokensAfterTheImageMatchLlamaCpp(ConformanceCase c) throws Exception {
        int[] prompt = c.ints("prompt_tokens");
        int[] suffix = c.ints("suffix_tokens");
        int[] expectedTokens = c.ints("greedy_tokens");
        double[] margins = c.doubles("greedy_margins");
        float[] expectedLast = c.floats(".last_logits.f32");
        float[] image = embed(c);
        int nImage = c.intField("n_image_pos");
        try (GgufFile f = GgufFile.open(c.modelPath())) {
            DecoderModel model = DecoderModel.load(f, Parallel.shared(), Progress.NONE);
            KvCache cache = model.newCache(prompt.length + nImage + suffix.length + expectedTokens.length + 1);
            float[] logits = model.forward(cache, List.of(Segment.tokens(prompt), Segment.embeddings(image, nImage),
                    Segment.tokens(suffix)), false);
            double cos = Similarity.cosine(logits, 0, expectedLast, 0, logits.length);
            assertThat(cos).isGreaterThanOrEqualTo(0.999);
            int compared = 0;
            for (int step = 0; step < expectedTokens.length; step++) {
                if (margins[step] < 1e-3) {
                    break; // a near-tie
                }
                int token = Sampler.argmax(logits);
                assertThat(token).as("greedy step %d", step).isEqualTo(expectedTokens[step]);
                compared++;
                logits = model.forward(cache, List.of(Segment.tokens(token)), false);
            }
            System.out.printf("%s: last-logit cosine %.7f, %d/%d greedy tokens equal%n", c, cos, compared,
                    expectedTokens.length);
        }
    }
}
