package dev.fovea.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Dequantization, block by block, of hand-built blocks: the bytes are packed here from the format definitions
 * and the expected values are written from those definitions, not obtained from the code under test.
 */
class WeightMatrixDequantTest {
    private static final short ONE = 0x3C00;       // F16 1.0
    private static final short HALF = 0x3800;      // F16 0.5
    private static final short TWO = 0x4000;       // F16 2.0
    private static final short QUARTER = 0x3400;   // F16 0.25

    private static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static float[] row(ByteBuffer b, GgmlType type, int rows, int cols, int row) {
        WeightMatrix m = WeightMatrix.of(MemorySegment.ofArray(b.array()), type, rows, cols);
        float[] out = new float[cols + 3];
        m.dequantizeRow(row, out, 3);
        return java.util.Arrays.copyOfRange(out, 3, cols + 3);
    }

    @Test
    void f32() {
        ByteBuffer b = buffer(16).putFloat(1.5f).putFloat(-0f).putFloat(3e-39f).putFloat(Float.NaN);
        float[] v = row(b, GgmlType.F32, 1, 4, 0);
        assertThat(v[0]).isEqualTo(1.5f);
        assertThat(Float.floatToRawIntBits(v[1])).isEqualTo(0x80000000);
        assertThat(v[2]).isEqualTo(3e-39f);
        assertThat(v[3]).isNaN();
    }

    @Test
    void f16() {
        ByteBuffer b = buffer(12).putShort(ONE).putShort((short) 0xC000).putShort((short) 0x0001)
                .putShort((short) 0x7BFF).putShort((short) 0xFC00).putShort((short) 0x3555);
        float[] v = row(b, GgmlType.F16, 1, 6, 0);
        assertThat(v).containsExactly(1f, -2f, 0x1p-24f, 65504f, Float.NEGATIVE_INFINITY, 0x1.554p-2f);
    }

    @Test
    void bf16() {
        ByteBuffer b = buffer(8).putShort((short) 0x3F80).putShort((short) 0xC040).putShort((short) 0x4049)
                .putShort((short) 0x0001);
        float[] v = row(b, GgmlType.BF16, 2, 2, 1);
        assertThat(v).containsExactly(0x1.92p1f, Float.intBitsToFloat(0x00010000));
        assertThat(row(b, GgmlType.BF16, 2, 2, 0)).containsExactly(1f, -3f);
    }

    @Test
    void q8_0() {
        ByteBuffer b = buffer(68);
        b.putShort(HALF);
        for (int j = 0; j < 32; j++) {
            b.put((byte) (j - 16));
        }
        b.putShort(TWO);
        for (int j = 0; j < 32; j++) {
            b.put((byte) (j % 2 == 0 ? 127 : -128));
        }
        float[] v = row(b, GgmlType.Q8_0, 1, 64, 0);
        for (int j = 0; j < 32; j++) {
            assertThat(v[j]).isEqualTo(0.5f * (j - 16));
            assertThat(v[32 + j]).isEqualTo(j % 2 == 0 ? 254f : -256f);
        }
    }

    @Test
    void q4_0() {
        ByteBuffer b = buffer(36);
        b.putShort(ONE);
        for (int j = 0; j < 16; j++) {
            b.put((byte) 0x00); // padding row 0 with zeros: every value d·(0−8)
        }
        b.putShort(TWO);
        for (int j = 0; j < 16; j++) {
            b.put((byte) (j | (15 - j) << 4)); // low nibble → element j, high nibble → element j+16
        }
        float[] r0 = row(b, GgmlType.Q4_0, 2, 32, 0);
        float[] r1 = row(b, GgmlType.Q4_0, 2, 32, 1);
        for (int j = 0; j < 16; j++) {
            assertThat(r0[j]).isEqualTo(-8f);
            assertThat(r1[j]).isEqualTo(2f * (j - 8));
            assertThat(r1[j + 16]).isEqualTo(2f * (15 - j - 8));
        }
    }

    /** Packs eight 6-bit scales and mins into ggml's 12-byte K-quant layout. */
    private static byte[] packScales(int[] sc, int[] mn) {
        byte[] s = new byte[12];
        for (int j = 0; j < 4; j++) {
            s[j] = (byte) ((sc[j] & 63) | (sc[j + 4] >> 4) << 6);
            s[j + 4] = (byte) ((mn[j] & 63) | (mn[j + 4] >> 4) << 6);
            s[j + 8] = (byte) ((sc[j + 4] & 15) | (mn[j + 4] & 15) << 4);
        }
        return s;
    }

    private static final int[] SC = {1, 2, 63, 17, 33, 48, 5, 60};
    private static final int[] MN = {0, 63, 7, 16, 31, 32, 62, 9};

    /** Quant of element e (sub-block e/32) used by the K-quant tests. */
    private static int kQuant(int e, int max) {
        return (e * 7 + e / 32) % (max + 1);
    }

    @Test
    void q4_K() {
        ByteBuffer b = buffer(144).putShort(HALF).putShort(QUARTER).put(packScales(SC, MN));
        // sub-blocks 2g and 2g+1 share bytes 32g…32g+31: low nibbles are sub-block 2g, high nibbles 2g+1
        for (int g = 0; g < 4; g++) {
            for (int l = 0; l < 32; l++) {
                b.put((byte) (kQuant(64 * g + l, 15) | kQuant(64 * g + 32 + l, 15) << 4));
            }
        }
        float[] v = row(b, GgmlType.Q4_K, 1, 256, 0);
        for (int e = 0; e < 256; e++) {
            int j = e / 32;
            float expected = 0.5f * SC[j] * kQuant(e, 15) - 0.25f * MN[j];
            assertThat(v[e]).as("element %d", e).isCloseTo(expected, within(1e-6f));
        }
    }

    @Test
    void q5_K() {
        ByteBuffer b = buffer(176).putShort(HALF).putShort(QUARTER).put(packScales(SC, MN));
        // bit (2g) of high-bit byte l is bit 4 of element l of sub-block 2g; bit (2g+1) that of sub-block 2g+1
        for (int l = 0; l < 32; l++) {
            int bits = 0;
            for (int j = 0; j < 8; j++) {
                bits |= (kQuant(32 * j + l, 31) >> 4) << j;
            }
            b.put((byte) bits);
        }
        for (int g = 0; g < 4; g++) {
            for (int l = 0; l < 32; l++) {
                b.put((byte) ((kQuant(64 * g + l, 31) & 15) | (kQuant(64 * g + 32 + l, 31) & 15) << 4));
            }
        }
        float[] v = row(b, GgmlType.Q5_K, 1, 256, 0);
        for (int e = 0; e < 256; e++) {
            int j = e / 32;
            float expected = 0.5f * SC[j] * kQuant(e, 31) - 0.25f * MN[j];
            assertThat(v[e]).as("element %d", e).isCloseTo(expected, within(1e-6f));
        }
    }

    @Test
    void q6_K() {
        int[] q = new int[256];
        for (int e = 0; e < 256; e++) {
            q[e] = (e * 5 + 3) % 64;
        }
        byte[] ql = new byte[128];
        byte[] qh = new byte[64];
        // each 128-value half: element l (0..31) + 32·i takes the low nibble (i = 0, 1) or high nibble (i = 2, 3)
        // of ql[l + 32·(i % 2)], and bits 2i..2i+1 of qh[l]
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < 4; i++) {
                for (int l = 0; l < 32; l++) {
                    int v = q[128 * h + 32 * i + l];
                    int qlIndex = 64 * h + l + 32 * (i % 2);
                    ql[qlIndex] |= (byte) (i < 2 ? v & 15 : (v & 15) << 4);
                    qh[32 * h + l] |= (byte) ((v >> 4) << (2 * i));
                }
            }
        }
        byte[] scales = new byte[16];
        for (int s = 0; s < 16; s++) {
            scales[s] = (byte) (s * 17 - 128);
        }
        ByteBuffer b = buffer(210).put(ql).put(qh).put(scales).putShort(QUARTER);
        float[] v = row(b, GgmlType.Q6_K, 1, 256, 0);
        for (int e = 0; e < 256; e++) {
            float expected = 0.25f * scales[e / 16] * (q[e] - 32);
            assertThat(v[e]).as("element %d", e).isEqualTo(expected);
        }
    }

    @Test
    void dequantizeWholeMatrixMatchesRows() {
        float[] values = new float[4 * 64];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i * 0.37);
        }
        WeightMatrix m = WeightMatrix.of(MemorySegment.ofArray(Quantizer.quantize(GgmlType.Q8_0, values)),
                GgmlType.Q8_0, 4, 64);
        float[] all = m.dequantize();
        float[] r2 = new float[64];
        m.dequantizeRow(2, r2, 0);
        assertThat(java.util.Arrays.copyOfRange(all, 128, 192)).containsExactly(r2);
        for (int i = 0; i < values.length; i++) {
            assertThat(all[i]).isCloseTo(values[i], within(0.01f));
        }
    }

    @Test
    void rejectsBadShapes() {
        MemorySegment small = MemorySegment.ofArray(new byte[34]);
        assertThatThrownBy(() -> WeightMatrix.of(small, GgmlType.Q8_0, 2, 32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytes");
        assertThatThrownBy(() -> WeightMatrix.of(small, GgmlType.Q8_0, 1, 33))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blocks");
        assertThatThrownBy(() -> WeightMatrix.of(small, GgmlType.IQ2_XXS, 1, 256))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IQ2_XXS");
        assertThatThrownBy(() -> WeightMatrix.of(small, GgmlType.F32, 0, 4))
                .isInstanceOf(IllegalArgumentException.class);
        WeightMatrix m = WeightMatrix.ofFloats(new float[8], 2, 4);
        assertThatThrownBy(() -> m.matVec(new float[3], new float[2], Parallel.shared()))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> m.matMul(new float[8], 2, new float[3], Parallel.shared()))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> m.dequantizeRow(2, new float[4], 0)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
