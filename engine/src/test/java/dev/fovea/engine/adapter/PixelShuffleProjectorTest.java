package dev.fovea.engine.adapter;

import static dev.fovea.engine.adapter.ScalarReference.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufWriter;
import dev.fovea.engine.synth.SyntheticAdapters;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.FeatureMap;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PixelShuffleProjectorTest {
    @TempDir
    Path dir;

    @Test
    void blockChannelsAreRowMajorOverTheBlock() {
        // a 2×4 grid of 1-channel patches holding their own index; scale 2 -> 1×2 tokens of 4 channels
        float[] x = {0, 1, 2, 3, 4, 5, 6, 7};
        FeatureMap s = PixelShuffleProjector.shuffle(new FeatureMap(x, 8, 1, 2, 4), 2);
        assertThat(s.gridHeight()).isEqualTo(1);
        assertThat(s.gridWidth()).isEqualTo(2);
        assertThat(s.data()).containsExactly(0, 1, 4, 5, 2, 3, 6, 7);
    }

    /** Idefics3: out[R,C][(i·r + j)·d + c] = x[R·r + i, C·r + j][c], then W (no bias). */
    static double[][] reference(double[][] w, FeatureMap x, int r) {
        int gh = x.gridHeight(), gw = x.gridWidth(), d = x.dim();
        double[][] shuffled = new double[(gh / r) * (gw / r)][d * r * r];
        for (int row = 0; row < gh; row++) {
            for (int col = 0; col < gw; col++) {
                int token = (row / r) * (gw / r) + col / r;
                int block = (row % r) * r + col % r;
                for (int c = 0; c < d; c++) {
                    shuffled[token][block * d + c] = x.data()[(row * gw + col) * d + c];
                }
            }
        }
        return linear(shuffled, w, null);
    }

    @Test
    void matchesScalarReference() throws Exception {
        Path p = dir.resolve("idefics3.gguf");
        SyntheticAdapters.writePixelShuffle(p, 6, 3, 10, GgmlType.F32, 21);
        try (GgufFile f = GgufFile.open(p)) {
            assertThat(f.getInt("clip.vision.projector.scale_factor", 0)).isEqualTo(3);
            Projector proj = ProjectorRegistry.load(f);
            assertThat(proj.kind()).isEqualTo("idefics3");
            assertThat(proj.outputDim()).isEqualTo(10);
            assertThat(proj.outputTokens(List.of(36))).isEqualTo(4);
            FeatureMap x = new FeatureMap(randomFeatures(6 * 9 * 6, 22), 54, 6, 6, 9);
            FeatureMap y = proj.project(List.of(x), Parallel.create(2));
            assertThat(y.gridHeight()).isEqualTo(2);
            assertThat(y.gridWidth()).isEqualTo(3);
            assertClose(y.data(), reference(tensor(f, "mm.model.fc.weight"), x, 3), 1e-4);
        }
    }

    @Test
    void f16RoundTrip() throws Exception {
        Path p = dir.resolve("idefics3-f16.gguf");
        SyntheticAdapters.writePixelShuffle(p, 8, 2, 16, GgmlType.F16, 23);
        try (GgufFile f = GgufFile.open(p)) {
            FeatureMap x = new FeatureMap(randomFeatures(4 * 4 * 8, 24), 16, 8, 4, 4);
            assertClose(ProjectorRegistry.load(f).project(List.of(x), Parallel.create(1)).data(),
                    reference(tensor(f, "mm.model.fc.weight"), x, 2), 1e-4);
        }
    }

    @Test
    void rejectsGridsNotDivisibleByTheScaleAndBadFiles() throws Exception {
        Path p = dir.resolve("idefics3.gguf");
        SyntheticAdapters.writePixelShuffle(p, 4, 2, 8, GgmlType.F32, 25);
        try (GgufFile f = GgufFile.open(p)) {
            Projector proj = ProjectorRegistry.load(f);
            FeatureMap odd = new FeatureMap(new float[3 * 4 * 4], 12, 4, 3, 4);
            assertThatThrownBy(() -> proj.project(List.of(odd), Parallel.create(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not divisible");
            assertThatThrownBy(() -> proj.outputTokens(List.of(10))).isInstanceOf(IllegalArgumentException.class);
        }
        Path bad = dir.resolve("bad.gguf");
        try (GgufWriter w = GgufWriter.create(bad)) {
            w.putString("clip.projector_type", "idefics3");
            w.putUint32("clip.vision.projector.scale_factor", 3);
            w.addTensor("mm.model.fc.weight", GgmlType.F32, 10, 2); // 10 is not a multiple of 9
            w.writeTensorData(new byte[80]);
        }
        try (GgufFile f = GgufFile.open(bad)) {
            assertThatThrownBy(() -> ProjectorRegistry.load(f)).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("multiple of scale");
        }
    }
}
