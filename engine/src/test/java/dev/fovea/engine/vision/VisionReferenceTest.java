package dev.fovea.engine.vision;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.engine.Progress;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.VisionModel;
import dev.fovea.engine.synth.MmprojPreset;
import dev.fovea.engine.synth.MmprojSynthesizer;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.testing.Conformance;
import dev.fovea.engine.testing.Similarity;
import dev.fovea.engine.vision.tiling.AnyResLayout;
import dev.fovea.testsupport.NeedsConformance;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Projector kinds and image shapes checked against the project's own reference fixtures ({@code vision/reference/*.json},
 * made by {@code tools/reference/vision-reference.mjs} with llama.cpp's clip code): the test remakes the seeded
 * random-weight mmproj from the fixture's {@code synth} spec (or opens the shared fixture's mmproj it names), embeds the
 * fixture's image as the pipeline does ({@link VisionModel}) and compares every row (cosine ≥ 0.999).
 */
@NeedsConformance
class VisionReferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-mlp_norm-f32", "tiny-336-ldpv2-f32", "tiny-336-ldp-f32", "qwen2vl-64-shapes56",
            "qwen2vl-64-shapes120x80", "qwen2vl-64-shapes60x170", "tiny-anyres-shapes120x80",
            "tiny-minicpmv-shapes60x170", "tiny-minicpmv-shapes400x700", "tiny-minicpmv25-shapes120x80"})
    void imageEmbeddingsMatchLlamaCpp(String name) throws Exception {
        JsonNode ref;
        try (InputStream in = VisionReferenceTest.class.getResourceAsStream("reference/" + name + ".json")) {
            assertThat(in).as("fixture " + name).isNotNull();
            ref = JSON.readTree(in);
        }
        Path mmproj;
        JsonNode spec = ref.get("synth");
        if (spec != null) {
            mmproj = dir.resolve("mmproj.gguf");
            MmprojSynthesizer.write(new MmprojSynthesizer.Spec(MmprojPreset.named(spec.get("preset").asText()),
                    spec.get("projector").asText(), GgmlType.valueOf(spec.get("qtype").asText().toUpperCase(Locale.ROOT)),
                    spec.get("seed").asLong(), spec.path("anyres").asBoolean(false),
                    spec.path("llm_embd").asInt(0)), mmproj, Parallel.shared(),
                    Progress.NONE);
        } else {
            mmproj = Conformance.file(ref.get("mmproj").asText());
        }
        int n = ref.get("n_image_pos").asInt();
        int d = ref.get("n_mmproj_embd").asInt();
        ByteBuffer raw = ByteBuffer.wrap(Base64.getDecoder().decode(ref.get("embd").asText()))
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] expected = new float[n * d];
        raw.asFloatBuffer().get(expected);
        // AnyRes fixtures hold llama.cpp's layout of the tiles (the engine's default is Hugging Face's)
        try (VisionModel vm = VisionModel.open(mmproj, Parallel.shared(), ImageDecoder.DEFAULT_MAX_PIXELS,
                AnyResLayout.LLAMA_CPP)) {
            Segment.Embeddings image = vm.embed(imageBytes(ref.get("image").asText()));
            assertThat(image.count()).isEqualTo(n);
            float[] actual = image.data();
            assertThat(actual).hasSize(n * d);
            double min = 1;
            for (int r = 0; r < n; r++) {
                double cos = Similarity.cosine(actual, r * d, expected, r * d, d);
                min = Math.min(min, cos);
                assertThat(cos).as("row %d cosine", r).isGreaterThanOrEqualTo(0.999);
            }
            String grid = image.gridHeight() > 0 ? " (grid " + image.gridHeight() + "×" + image.gridWidth() + ")" : "";
            System.out.printf(Locale.ROOT, "%s: %d image rows%s, min cosine %.7f%n", name, n, grid, min);
        }
    }

    /** {@code conformance:PATH} (under ../shared/conformance) or {@code resource:FILE} (beside the fixtures). */
    private static byte[] imageBytes(String image) throws IOException {
        if (image.startsWith("conformance:")) {
            return Files.readAllBytes(Conformance.file(image.substring("conformance:".length())));
        }
        try (InputStream in = VisionReferenceTest.class.getResourceAsStream("reference/"
                + image.substring("resource:".length()))) {
            assertThat(in).as("image " + image).isNotNull();
            return in.readAllBytes();
        }
    }
}
