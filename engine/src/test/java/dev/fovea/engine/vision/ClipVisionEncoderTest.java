package dev.fovea.engine.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.Progress;
import dev.fovea.engine.adapter.Projector;
import dev.fovea.engine.adapter.ProjectorRegistry;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.synth.MmprojPreset;
import dev.fovea.engine.synth.MmprojSynthesizer;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.testsupport.NeedsConformance;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The tower and projector on small synthetic mmproj files against the scalar {@link ReferenceClipTower}. */
class ClipVisionEncoderTest {
    @TempDir
    Path dir;

    private Path synth(String preset, String projector, GgmlType type) throws Exception {
        Path p = dir.resolve(preset + "-" + projector + "-" + type + ".gguf");
        MmprojSynthesizer.write(new MmprojSynthesizer.Spec(MmprojPreset.named(preset), projector, type, 7, false, 0), p,
                Parallel.create(2), Progress.NONE);
        return p;
    }

    static float[] randomImage(int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] px = new float[3 * size * size];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return px;
    }

    private static void assertClose(float[] actual, double[][] expected, double relTol) {
        int d = expected[0].length;
        assertThat(actual).hasSize(expected.length * d);
        double maxAbs = 0;
        double maxDiff = 0;
        for (int t = 0; t < expected.length; t++) {
            for (int i = 0; i < d; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(expected[t][i]));
                maxDiff = Math.max(maxDiff, Math.abs(expected[t][i] - actual[t * d + i]));
            }
        }
        assertThat(maxAbs).isGreaterThan(0.01); // the comparison means something only for non-trivial outputs
        assertThat(maxDiff).as("max |Δ| vs max |x| %f", maxAbs).isLessThanOrEqualTo(relTol * maxAbs);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"tiny, F32, 3e-3", "tiny, F16, 3e-3", "tiny-siglip, F32, 3e-3"})
    void towerAndMlpProjectorMatchScalarReference(String preset, GgmlType type, double tol) throws Exception {
        MmprojPreset p = MmprojPreset.named(preset);
        try (GgufFile f = GgufFile.open(synth(preset, "mlp", type))) {
            ClipVisionEncoder enc = ClipVisionEncoder.load(f);
            // CLIP + LLaVA projector: the penultimate layer; SigLIP: every block
            assertThat(enc.blocksRun()).isEqualTo(p.classToken() ? p.blocks() - 1 : p.blocks());
            float[] img = randomImage(p.imageSize(), 1);
            FeatureMap features = enc.encode(img, Parallel.shared());
            assertThat(features.tokens()).isEqualTo(p.patches());
            ReferenceClipTower ref = new ReferenceClipTower(f);
            double[][] expected = ref.encode(img, enc.blocksRun());
            // GELU goes through ggml's F16 table in the engine and is exact in the reference
            assertClose(features.data(), expected, tol);
            Projector proj = ProjectorRegistry.load(f);
            FeatureMap projected = proj.project(List.of(features), Parallel.shared());
            assertClose(projected.data(), ref.projectMlp(expected), tol);
        }
    }

    @Test
    void aBatchOfImagesEqualsTheImagesOneByOne() throws Exception {
        try (GgufFile f = GgufFile.open(synth("tiny", "mlp", GgmlType.F16))) {
            ClipVisionEncoder enc = ClipVisionEncoder.load(f);
            float[] a = randomImage(56, 2);
            float[] b = randomImage(56, 3);
            List<FeatureMap> batch = enc.encode(List.of(a, b), Parallel.shared());
            assertThat(batch).hasSize(2);
            assertThat(batch.get(0).data()).isEqualTo(enc.encode(a, Parallel.shared()).data());
            assertThat(batch.get(1).data()).isEqualTo(enc.encode(b, Parallel.shared()).data());
            assertThat(batch.get(0).data()).isNotEqualTo(batch.get(1).data());
        }
    }

    @Test
    void featureLayerAndClassTokenOptions() throws Exception {
        try (GgufFile f = GgufFile.open(synth("tiny", "linear", GgmlType.F32))) {
            ClipVisionEncoder last = ClipVisionEncoder.load(f, new ClipVisionEncoder.Options(0, true));
            assertThat(last.blocksRun()).isEqualTo(3);
            float[] img = randomImage(56, 4);
            FeatureMap withCls = last.encode(img, Parallel.shared());
            assertThat(withCls.tokens()).isEqualTo(17);
            double[][] expected = new ReferenceClipTower(f).encode(img, 3);
            assertClose(Arrays.copyOfRange(withCls.data(), 64, withCls.data().length), expected, 3e-3);
            assertThatThrownBy(() -> ClipVisionEncoder.load(f, new ClipVisionEncoder.Options(3, false)))
                    .isInstanceOf(GgufFormatException.class).hasMessageContaining("skip 3 of 3");
            assertThat(ProjectorRegistry.load(f).kind()).isEqualTo("linear");
        }
    }

    @NeedsConformance
    @Test
    void wrongInputsAreRejected() throws Exception {
        try (GgufFile f = GgufFile.open(synth("tiny", "mlp", GgmlType.F32))) {
            ClipVisionEncoder enc = ClipVisionEncoder.load(f);
            assertThatThrownBy(() -> enc.encode(randomImage(30, 1), Parallel.shared()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("56×56");
        }
        try (GgufFile f = GgufFile.open(dev.fovea.engine.testing.Conformance.file("models/llama-spm-f32.gguf"))) {
            assertThatThrownBy(() -> ClipVisionEncoder.load(f)).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("not an mmproj");
        }
    }
}
