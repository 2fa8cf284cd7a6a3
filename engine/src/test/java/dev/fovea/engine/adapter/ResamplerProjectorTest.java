package dev.fovea.engine.adapter;

import static dev.fovea.engine.adapter.ScalarReference.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.synth.SyntheticAdapters;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.FeatureMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResamplerProjectorTest {
    @TempDir
    Path dir;

    static ResamplerConfig config(int inputDim, ResamplerConfig.KeyPositions mode) {
        return new ResamplerConfig(inputDim, 16, 12, 2, 2, 3, 1e-6f, mode);
    }

    /** Qwen-VL's resampler, computed from the raw tensors of {@code f} named as docs/adapters.md says. */
    static double[][] reference(GgufFile f, String p, FeatureMap x, int queryRows, int queryCols, int heads,
                                boolean interpolate, double eps) throws Exception {
        double[][] in = rows(x.data(), x.tokens(), x.dim());
        double[][] kv = f.hasTensor(p + "kv.weight") ? linear(in, tensor(f, p + "kv.weight"), null) : in;
        kv = layerNorm(kv, vector(f, p + "ln_kv.weight"), vector(f, p + "ln_kv.bias"), eps);
        int e = kv[0].length;
        double[][] queryPos = sinCos2d(e, queryRows, queryCols);
        double[][] keyPos = interpolate
                ? bicubic(queryPos, queryRows, queryCols, x.gridHeight(), x.gridWidth())
                : sinCos2d(e, x.gridHeight(), x.gridWidth());
        double[][] q = layerNorm(tensor(f, p + "query"), vector(f, p + "ln_q.weight"), vector(f, p + "ln_q.bias"), eps);
        double[][] a = multiHeadAttention(add(q, queryPos), add(kv, keyPos), kv, heads,
                tensor(f, p + "attn.q.weight"), vector(f, p + "attn.q.bias"),
                tensor(f, p + "attn.k.weight"), vector(f, p + "attn.k.bias"),
                tensor(f, p + "attn.v.weight"), vector(f, p + "attn.v.bias"),
                tensor(f, p + "attn.out.weight"), vector(f, p + "attn.out.bias"));
        a = layerNorm(a, vector(f, p + "ln_post.weight"), vector(f, p + "ln_post.bias"), eps);
        return linear(a, tensor(f, p + "proj.weight"), null);
    }

    private Path synth(ResamplerConfig c, GgmlType type, long seed) throws Exception {
        Path p = dir.resolve("resampler-" + seed + "-" + type + ".gguf");
        SyntheticAdapters.writeResampler(p, c, type, seed);
        return p;
    }

    @Test
    void matchesScalarReferenceWithInterpolatedKeyPositionsOnALargerGrid() throws Exception {
        ResamplerConfig c = config(20, ResamplerConfig.KeyPositions.INTERPOLATE);
        try (GgufFile f = GgufFile.open(synth(c, GgmlType.F32, 1))) {
            Projector p = ProjectorRegistry.load(f);
            assertThat(p.kind()).isEqualTo("resampler");
            assertThat(p.outputDim()).isEqualTo(12);
            assertThat(p.outputTokens(List.of(35))).isEqualTo(6);
            FeatureMap x = new FeatureMap(randomFeatures(5 * 7 * 20, 2), 35, 20, 5, 7);
            FeatureMap y = p.project(List.of(x), Parallel.create(3));
            assertThat(y.tokens()).isEqualTo(6);
            assertThat(y.gridHeight()).isEqualTo(2);
            assertThat(y.gridWidth()).isEqualTo(3);
            assertClose(y.data(), reference(f, "resampler.", x, 2, 3, 2, true, 1e-6), 1e-4);
        }
    }

    @Test
    void matchesScalarReferenceWithDirectKeyPositionsAndNoKvProjection() throws Exception {
        ResamplerConfig c = config(16, ResamplerConfig.KeyPositions.DIRECT);
        try (GgufFile f = GgufFile.open(synth(c, GgmlType.F32, 3))) {
            assertThat(f.hasTensor("resampler.kv.weight")).isFalse();
            Projector p = ProjectorRegistry.load(f);
            FeatureMap x = new FeatureMap(randomFeatures(4 * 3 * 16, 4), 12, 16, 4, 3);
            assertClose(p.project(List.of(x), Parallel.create(1)).data(), reference(f, "resampler.", x, 2, 3, 2, false, 1e-6), 1e-4);
        }
    }

    @Test
    void smallerGridInterpolatesDownAndF16MatricesRoundTrip() throws Exception {
        ResamplerConfig c = config(8, ResamplerConfig.KeyPositions.INTERPOLATE);
        try (GgufFile f = GgufFile.open(synth(c, GgmlType.F16, 5))) {
            assertThat(f.tensor("resampler.attn.q.weight").type()).isEqualTo(GgmlType.F16);
            assertThat(f.tensor("resampler.query").type()).isEqualTo(GgmlType.F32);
            Projector p = ProjectorRegistry.load(f);
            FeatureMap x = new FeatureMap(randomFeatures(8, 6), 1, 8, 1, 1);
            assertClose(p.project(List.of(x), Parallel.create(2)).data(), reference(f, "resampler.", x, 2, 3, 2, true, 1e-6), 1e-4);
        }
    }

    @Test
    void keyPositionsOnTheQueryGridAreTheQueryTableInBothModes() throws Exception {
        for (var mode : ResamplerConfig.KeyPositions.values()) {
            try (GgufFile f = GgufFile.open(synth(config(16, mode), GgmlType.F32, 7))) {
                ResamplerProjector p = ResamplerFormat.STANDALONE.load(f);
                float[] keys = p.keyPositions(2, 3);
                double[][] expected = sinCos2d(16, 2, 3);
                assertClose(keys, expected, 1e-6);
            }
        }
    }

    @Test
    void sameSeedWritesTheSameFileAndMetadataRoundTrips() throws Exception {
        ResamplerConfig c = config(20, ResamplerConfig.KeyPositions.DIRECT);
        Path a = synth(c, GgmlType.F32, 9);
        Path b = dir.resolve("again.gguf");
        SyntheticAdapters.writeResampler(b, c, GgmlType.F32, 9);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        try (GgufFile f = GgufFile.open(a)) {
            assertThat(f.getString("clip.projector_type", null)).isEqualTo("resampler");
            assertThat(ResamplerFormat.STANDALONE.readConfig(f)).isEqualTo(c);
        }
    }

    @Test
    void rejectsWrongInputs() throws Exception {
        try (GgufFile f = GgufFile.open(synth(config(20, ResamplerConfig.KeyPositions.INTERPOLATE), GgmlType.F32, 11))) {
            Projector p = ProjectorRegistry.load(f);
            FeatureMap wrongWidth = FeatureMap.sequence(new float[16], 1, 16);
            assertThatThrownBy(() -> p.project(List.of(wrongWidth), Parallel.create(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("width 20");
            assertThatThrownBy(() -> p.project(List.of(), Parallel.create(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one input");
        }
    }

    @Test
    void badMetadataIsAFormatError() throws Exception {
        Path p = dir.resolve("bad.gguf");
        try (var w = dev.fovea.engine.gguf.GgufWriter.create(p)) {
            w.putString("clip.projector_type", "resampler");
            w.putUint32("clip.resampler.head_count", 3); // 16 is not a multiple of 3
            w.putUint32("clip.resampler.query_rows", 1);
            w.putUint32("clip.resampler.query_cols", 1);
            w.addTensor("resampler.query", GgmlType.F32, 16, 1);
            w.addTensor("resampler.proj.weight", GgmlType.F32, 16, 4);
            w.writeTensorData(new byte[64]);
            w.writeTensorData(new byte[256]);
        }
        try (GgufFile f = GgufFile.open(p)) {
            assertThatThrownBy(() -> ProjectorRegistry.load(f)).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("heads");
        }
    }
}
