package dev.fovea.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.Progress;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Quantizer;
import dev.fovea.engine.tensor.WeightMatrix;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufQuantizerTest {
    @TempDir
    Path dir;

    private static float[] values(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * 0.05f;
        }
        return v;
    }

    private static byte[] f16(float[] v) {
        return Quantizer.quantize(GgmlType.F16, v);
    }

    /** A file with one tensor of each kind the rules tell apart. */
    private Path source() throws Exception {
        Path p = dir.resolve("in.gguf");
        try (GgufWriter w = GgufWriter.create(p)) {
            w.putString(GgufKeys.ARCHITECTURE, "llama").putUint32(GgufKeys.FILE_TYPE, 1).putString("x.note", "kept");
            w.addTensor("blk.0.attn_q.weight", GgmlType.F16, 64, 3);
            w.addTensor("blk.0.attn_norm.weight", GgmlType.F32, 64);
            w.addTensor("v.position_embd.weight", GgmlType.F16, 64, 5);
            w.addTensor("odd.weight", GgmlType.F16, 48, 2);
            w.addTensor("q8.weight", GgmlType.Q8_0, 32, 2);
            w.addTensor("v.patch_embd.weight", GgmlType.F16, 2, 2, 3, 64);
            w.addTensor("resampler.query", GgmlType.F32, 64, 4);
            w.writeTensorData(f16(values(192, 1)));
            w.writeTensorData(Quantizer.quantize(GgmlType.F32, values(64, 2)));
            w.writeTensorData(f16(values(320, 3)));
            w.writeTensorData(f16(values(96, 4)));
            w.writeTensorData(Quantizer.quantize(GgmlType.Q8_0, values(64, 5)));
            w.writeTensorData(f16(values(768, 6)));
            w.writeTensorData(Quantizer.quantize(GgmlType.F32, values(256, 7)));
        }
        return p;
    }

    @Test
    void floatMatricesBecomeTheTypeAndEverythingElseIsCopied() throws Exception {
        Path in = source();
        Path out = dir.resolve("out.gguf");
        GgufQuantizer.Report r = GgufQuantizer.quantize(in, out, GgmlType.Q8_0, Progress.NONE);
        assertThat(r.quantized()).isEqualTo(1);
        assertThat(r.copied()).isEqualTo(6);
        try (GgufFile a = GgufFile.open(in); GgufFile b = GgufFile.open(out)) {
            assertThat(b.getLong(GgufKeys.FILE_TYPE, -1)).isEqualTo(GgmlType.Q8_0.llamaFileType());
            assertThat(b.getString("x.note", "")).isEqualTo("kept");
            assertThat(b.metadata().keySet()).containsExactlyElementsOf(a.metadata().keySet());
            for (GgufTensorInfo t : a.tensors()) {
                GgufTensorInfo u = b.tensor(t.name());
                assertThat(u.shape()).isEqualTo(t.shape());
                if (t.name().equals("blk.0.attn_q.weight")) {
                    assertThat(u.type()).isEqualTo(GgmlType.Q8_0);
                    // each row is the Q8_0 encoding of the F16 row's values
                    WeightMatrix m = WeightMatrix.forRowReads(a.data(t), t.type(), 3, 64);
                    float[] row = new float[64];
                    for (int i = 0; i < 3; i++) {
                        m.dequantizeRow(i, row, 0);
                        byte[] expected = Quantizer.quantize(GgmlType.Q8_0, row);
                        byte[] actual = b.data(u).asSlice((long) i * expected.length, expected.length)
                                .toArray(ValueLayout.JAVA_BYTE);
                        assertThat(actual).isEqualTo(expected);
                    }
                } else {
                    assertThat(u.type()).as(t.name()).isEqualTo(t.type());
                    assertThat(b.data(u).toArray(ValueLayout.JAVA_BYTE)).as(t.name())
                            .isEqualTo(a.data(t).toArray(ValueLayout.JAVA_BYTE));
                }
            }
        }
    }

    @Test
    void aBrokenInputIsAnErrorNamingItAndLeavesNoOutput() throws Exception {
        byte[] whole = java.nio.file.Files.readAllBytes(source());
        Path cut = dir.resolve("cut.gguf");
        java.nio.file.Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 100));
        Path out = dir.resolve("out.gguf");
        assertThatThrownBy(() -> GgufQuantizer.quantize(cut, out, GgmlType.Q8_0, Progress.NONE))
                .isInstanceOf(GgufFormatException.class).hasMessageContaining("cut.gguf");
        assertThat(out).doesNotExist();
        assertThat(dir.resolve("out.gguf.part")).doesNotExist();
    }

    @Test
    void refusesTypesItCannotWriteAndWritingOverItsInput() throws Exception {
        Path in = source();
        assertThatThrownBy(() -> GgufQuantizer.quantize(in, dir.resolve("o.gguf"), GgmlType.Q5_K, Progress.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Q5_K");
        assertThatThrownBy(() -> GgufQuantizer.quantize(in, in, GgmlType.Q8_0, Progress.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another file");
        try (GgufFile f = GgufFile.open(in)) {
            assertThat(f.tensors()).hasSize(7);
        }
    }
}
