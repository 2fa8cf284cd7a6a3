package dev.fovea.engine.vision;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.engine.Progress;
import dev.fovea.engine.adapter.Projector;
import dev.fovea.engine.adapter.ProjectorRegistry;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.synth.MmprojPreset;
import dev.fovea.engine.synth.MmprojSynthesizer;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.testing.Conformance;
import dev.fovea.engine.testing.Similarity;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Projector kinds checked against the project's own reference fixtures ({@code vision/reference/*.json}, made by
 * {@code tools/reference/vision-reference.mjs} with llama.cpp's clip code): the test remakes the seeded random-weight
 * mmproj from the fixture's {@code synth} spec, embeds the fixture's image and compares every row (cosine ≥ 0.999).
 */
class VisionReferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-mlp_norm-f32", "tiny-336-ldpv2-f32", "tiny-336-ldp-f32"})
    void imageEmbeddingsMatchLlamaCpp(String name) throws Exception {
        JsonNode ref;
        try (InputStream in = VisionReferenceTest.class.getResourceAsStream("reference/" + name + ".json")) {
            assertThat(in).as("fixture " + name).isNotNull();
            ref = JSON.readTree(in);
        }
        JsonNode spec = ref.get("synth");
        Path mmproj = dir.resolve("mmproj.gguf");
        MmprojSynthesizer.write(new MmprojSynthesizer.Spec(MmprojPreset.named(spec.get("preset").asText()),
                spec.get("projector").asText(), GgmlType.valueOf(spec.get("qtype").asText().toUpperCase(Locale.ROOT)),
                spec.get("seed").asLong(), false, 0), mmproj, Parallel.shared(), Progress.NONE);
        int n = ref.get("n_image_pos").asInt();
        int d = ref.get("n_mmproj_embd").asInt();
        ByteBuffer raw = ByteBuffer.wrap(Base64.getDecoder().decode(ref.get("embd").asText()))
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] expected = new float[n * d];
        raw.asFloatBuffer().get(expected);
        try (GgufFile f = GgufFile.open(mmproj)) {
            ClipVisionEncoder encoder = ClipVisionEncoder.load(f);
            Projector projector = ProjectorRegistry.load(f);
            assertThat(projector.kind()).isEqualTo(spec.get("projector").asText());
            RgbImage img = new ImageDecoder().decode(Files.readAllBytes(Conformance.file(ref.get("image").asText())));
            FeatureMap features = encoder.encode(encoder.preprocessor().apply(img), Parallel.shared());
            float[] actual = projector.project(List.of(features), Parallel.shared()).data();
            assertThat(actual).hasSize(n * d);
            double min = 1;
            for (int r = 0; r < n; r++) {
                double cos = Similarity.cosine(actual, r * d, expected, r * d, d);
                min = Math.min(min, cos);
                assertThat(cos).as("row %d cosine", r).isGreaterThanOrEqualTo(0.999);
            }
            System.out.printf(Locale.ROOT, "%s: %d image rows, min cosine %.7f%n", name, n, min);
        }
    }
}
