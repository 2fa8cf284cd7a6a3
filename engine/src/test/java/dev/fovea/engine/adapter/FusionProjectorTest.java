package dev.fovea.engine.adapter;

import static dev.fovea.engine.adapter.ScalarReference.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.synth.SyntheticAdapters;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.FeatureMap;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FusionProjectorTest {
    @TempDir
    Path dir;

    /** torch adaptive_avg_pool2d: window [floor(i·in/out), ceil((i+1)·in/out)) per axis. */
    static double[][] adaptivePool(FeatureMap x, int oh, int ow) {
        int h = x.gridHeight(), w = x.gridWidth(), d = x.dim();
        double[][] out = new double[oh * ow][d];
        for (int i = 0; i < oh; i++) {
            int r0 = (int) Math.floor((double) i * h / oh), r1 = (int) Math.ceil((double) (i + 1) * h / oh);
            for (int j = 0; j < ow; j++) {
                int c0 = (int) Math.floor((double) j * w / ow), c1 = (int) Math.ceil((double) (j + 1) * w / ow);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        for (int k = 0; k < d; k++) {
                            out[i * ow + j][k] += x.data()[(r * w + c) * d + k] / ((r1 - r0) * (c1 - c0));
                        }
                    }
                }
            }
        }
        return out;
    }

    static double[][] reference(GgufFile f, List<FeatureMap> xs, int oh, int ow, double eps) throws Exception {
        int cells = oh * ow;
        double[][] concat = new double[cells][0];
        for (FeatureMap x : xs) {
            double[][] p = adaptivePool(x, oh, ow);
            for (int t = 0; t < cells; t++) {
                double[] joined = new double[concat[t].length + p[t].length];
                System.arraycopy(concat[t], 0, joined, 0, concat[t].length);
                System.arraycopy(p[t], 0, joined, concat[t].length, p[t].length);
                concat[t] = joined;
            }
        }
        double[][] y = linear(concat, tensor(f, "fusion.fc.weight"), vector(f, "fusion.fc.bias"));
        return layerNorm(y, vector(f, "fusion.ln.weight"), vector(f, "fusion.ln.bias"), eps);
    }

    private static List<FeatureMap> inputs() {
        return List.of(
                new FeatureMap(randomFeatures(4 * 4 * 6, 31), 16, 6, 4, 4),   // pooled 2×2 windows
                new FeatureMap(randomFeatures(3 * 3 * 5, 32), 9, 5, 3, 3),    // overlapping windows
                new FeatureMap(randomFeatures(1 * 2 * 4, 33), 2, 4, 1, 2));   // grown: cells repeat
    }

    @Test
    void gridBranchMatchesScalarReference() throws Exception {
        FusionConfig c = new FusionConfig(List.of(6, 5, 4), 2, 2, 8, 1e-5f, -1);
        Path p = dir.resolve("fusion.gguf");
        SyntheticAdapters.writeFusion(p, c, null, GgmlType.F32, 34);
        try (GgufFile f = GgufFile.open(p)) {
            Projector proj = ProjectorRegistry.load(f);
            assertThat(proj.kind()).isEqualTo("fusion");
            assertThat(proj.outputTokens(List.of(16, 9, 2))).isEqualTo(4);
            FeatureMap y = proj.project(inputs(), Parallel.create(2));
            assertThat(y.gridHeight()).isEqualTo(2);
            assertThat(y.gridWidth()).isEqualTo(2);
            assertClose(y.data(), reference(f, inputs(), 2, 2, 1e-5), 1e-4);
        }
    }

    @Test
    void queryBranchTokensAreAppendedAfterTheGrid() throws Exception {
        FusionConfig c = new FusionConfig(List.of(6, 5, 4), 2, 2, 8, 1e-5f, 1);
        ResamplerConfig branch = new ResamplerConfig(5, 12, 8, 3, 1, 3, 1e-6f, ResamplerConfig.KeyPositions.INTERPOLATE);
        Path p = dir.resolve("fusion-q.gguf");
        SyntheticAdapters.writeFusion(p, c, branch, GgmlType.F16, 35);
        try (GgufFile f = GgufFile.open(p)) {
            Projector proj = ProjectorRegistry.load(f);
            assertThat(proj.outputTokens(List.of(16, 9, 2))).isEqualTo(4 + 3);
            FeatureMap y = proj.project(inputs(), Parallel.create(3));
            assertThat(y.tokens()).isEqualTo(7);
            double[][] grid = reference(f, inputs(), 2, 2, 1e-5);
            double[][] queries = ResamplerProjectorTest.reference(f, "fusion.resampler.", inputs().get(1), 1, 3, 3, true, 1e-6);
            double[][] all = new double[7][];
            System.arraycopy(grid, 0, all, 0, 4);
            System.arraycopy(queries, 0, all, 4, 3);
            assertClose(y.data(), all, 1e-4);
        }
    }

    @Test
    void rejectsMismatchedInputs() throws Exception {
        FusionConfig c = new FusionConfig(List.of(6, 5, 4), 2, 2, 8, 1e-5f, -1);
        Path p = dir.resolve("fusion.gguf");
        SyntheticAdapters.writeFusion(p, c, null, GgmlType.F32, 36);
        try (GgufFile f = GgufFile.open(p)) {
            Projector proj = ProjectorRegistry.load(f);
            assertThatThrownBy(() -> proj.project(inputs().subList(0, 2), Parallel.create(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 inputs");
            List<FeatureMap> swapped = List.of(inputs().get(1), inputs().get(0), inputs().get(2));
            assertThatThrownBy(() -> proj.project(swapped, Parallel.create(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("width");
        }
        assertThatThrownBy(() -> new FusionConfig(List.of(6), 2, 2, 8, 1e-5f, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
