package dev.fovea.engine.vision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.engine.Progress;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.llm.DecoderModel;
import dev.fovea.engine.llm.KvCache;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.VisionModel;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.testing.ConformanceCase;
import dev.fovea.engine.testing.GreedyReference;
import dev.fovea.engine.testing.Similarity;
import dev.fovea.engine.tokenizer.Tokenizer;
import dev.fovea.testsupport.NeedsConformance;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code ../shared/conformance/qwen2vl/}: Qwen2-VL's tower, merger and M-RoPE LLM against llama.cpp's own Qwen2-VL
 * path, at that README's tolerances (image rows and last logits cosine ≥ 0.999, greedy tokens equal up to the first
 * step whose reference margin is under 0.2).
 */
@NeedsConformance
class Qwen2VlConformanceTest {
    private static final double IMAGE_COS_MIN = 0.999;
    private static final double LOGITS_COS_MIN = 0.999;
    private static final double NEAR_TIE = 0.2;

    static List<ConformanceCase> cases() {
        return ConformanceCase.all("vlm", "qwen2vl");
    }

    private static Segment.Embeddings embed(ConformanceCase c) throws Exception {
        try (VisionModel vm = VisionModel.open(c.mmprojPath(), Parallel.shared(), ImageDecoder.DEFAULT_MAX_PIXELS)) {
            return vm.embed(Files.readAllBytes(c.imagePath()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void imageEmbeddingsMatchLlamaCpp(ConformanceCase c) throws Exception {
        float[] expected = c.floats(".image_embd.f32");
        int n = c.intField("n_image_pos");
        int d = c.intField("n_mmproj_embd");
        Segment.Embeddings image = embed(c);
        assertThat(image.count()).isEqualTo(n);
        assertThat(image.gridHeight()).isEqualTo(c.reference().get("image_grid").get("merged_h").asInt());
        assertThat(image.gridWidth()).isEqualTo(c.reference().get("image_grid").get("merged_w").asInt());
        assertThat(image.data()).hasSameSizeAs(expected);
        double min = 1;
        for (int r = 0; r < n; r++) {
            double cos = Similarity.cosine(image.data(), r * d, expected, r * d, d);
            min = Math.min(min, cos);
            assertThat(cos).as("row %d cosine", r).isGreaterThanOrEqualTo(IMAGE_COS_MIN);
        }
        System.out.printf("%s: %d image rows, min cosine %.7f%n", c, n, min);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void promptTokenizesAsLlamaCpp(ConformanceCase c) throws Exception {
        try (GgufFile f = GgufFile.open(c.modelPath())) {
            Tokenizer t = Tokenizer.fromGguf(f);
            assertThat(t.encode(c.prompt(), false, false)).containsExactly(c.ints("prompt_tokens"));
            assertThat(t.encode(c.suffix(), false, false)).containsExactly(c.ints("suffix_tokens"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void logitsAndGreedyTokensAfterTheImageMatchLlamaCpp(ConformanceCase c) throws Exception {
        int[] prompt = c.ints("prompt_tokens");
        int[] suffix = c.ints("suffix_tokens");
        int[] expectedTokens = c.ints("greedy_tokens");
        double[] margins = c.doubles("greedy_margins");
        float[] expectedLast = c.floats(".last_logits.f32");
        Segment.Embeddings image = embed(c);
        try (GgufFile f = GgufFile.open(c.modelPath())) {
            DecoderModel model = DecoderModel.load(f, Parallel.shared(), Progress.NONE);
            KvCache cache = model.newCache(prompt.length + image.count() + suffix.length + expectedTokens.length + 1);
            float[] logits = model.forward(cache, List.of(Segment.tokens(prompt), image, Segment.tokens(suffix)),
                    false);
            double cos = Similarity.cosine(logits, 0, expectedLast, 0, logits.length);
            assertThat(cos).as("last-logit cosine").isGreaterThanOrEqualTo(LOGITS_COS_MIN);
            int compared = GreedyReference.compare(model, cache, logits, expectedTokens, margins, NEAR_TIE);
            System.out.printf("%s: last-logit cosine %.7f, %d/%d greedy tokens equal%n", c, cos, compared,
                    expectedTokens.length);
            assertThat(compared).isEqualTo(expectedTokens.length);
        }
    }
}
