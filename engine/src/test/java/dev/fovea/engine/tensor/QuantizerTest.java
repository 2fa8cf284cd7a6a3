package dev.fovea.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checks the encoders against hand-computed blocks and against scalar decoders written here from ggml's public
 * block definitions ({@code dequantize_row_*}), independent of the engine's kernels.
 */
class QuantizerTest {

    // ---- independent scalar decoders ------------------------------------------------------------------------------

    static int u16(byte[] b, int o) {
        return (b[o] & 0xFF) | (b[o + 1] & 0xFF) << 8;
    }

    /** IEEE half to float, by hand. */
    static float half(int h) {
        int sign = (h >> 15) & 1;
        int exp = (h >> 10) & 0x1F;
        int mant = h & 0x3FF;
        float v;
        if (exp == 0) {
            v = mant * 0x1p-24f;
        } else if (exp == 31) {
            v = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            v = (1 + mant / 1024f) * (float) Math.pow(2, exp - 15);
        }
        return sign == 1 ? -v : v;
    }

    static float[] decodeQ8_0(byte[] b, int n) {
        float[] y = new float[n];
        for (int blk = 0; blk < n / 32; blk++) {
            int o = blk * 34;
            float d = half(u16(b, o));
            for (int j = 0; j < 32; j++) y[blk * 32 + j] = d * b[o + 2 + j];
        }
        return y;
    }

    static float[] decodeQ4_0(byte[] b, int n) {
        float[] y = new float[n];
        for (int blk = 0; blk < n / 32; blk++) {
            int o = blk * 18;
            float d = half(u16(b, o));
            for (int j = 0; j < 16; j++) {
                int q = b[o + 2 + j] & 0xFF;
                y[blk * 32 + j] = d * ((q & 0xF) - 8);
                y[blk * 32 + j + 16] = d * ((q >> 4) - 8);
            }
        }
        return y;
    }

    /** ggml's get_scale_min_k4: returns {scale, min} of sub-block j. */
    static int[] scaleMinK4(byte[] b, int s, int j) {
        int q = b[s + j] & 0xFF;
        if (j < 4) {
            return new int[] {q & 63, (b[s + j + 4] & 0xFF) & 63};
        }
        int q4 = b[s + j + 4] & 0xFF;
        return new int[] {(q4 & 0xF) | (((b[s + j - 4] & 0xFF) >> 6) << 4), (q4 >> 4) | ((q >> 6) << 4)};
    }

    static float[] decodeQ4_K(byte[] b, int n) {
        float[] y = new float[n];
        for (int blk = 0; blk < n / 256; blk++) {
            int o = blk * 144;
            float d = half(u16(b, o));
            float dmin = half(u16(b, o + 2));
            int qs = o + 16;
            int out = blk * 256;
            for (int chunk = 0; chunk < 4; chunk++) {
                int[] sm1 = scaleMinK4(b, o + 4, 2 * chunk);
                int[] sm2 = scaleMinK4(b, o + 4, 2 * chunk + 1);
                for (int l = 0; l < 32; l++) {
                    int q = b[qs + 32 * chunk + l] & 0xFF;
                    y[out + 64 * chunk + l] = d * sm1[0] * (q & 0xF) - dmin * sm1[1];
                    y[out + 64 * chunk + 32 + l] = d * sm2[0] * (q >> 4) - dmin * sm2[1];
                }
            }
        }
        return y;
    }

    static float[] decodeQ6_K(byte[] b, int n) {
        float[] y = new float[n];
        for (int blk = 0; blk < n / 256; blk++) {
            int o = blk * 210;
            float d = half(u16(b, o + 208));
            for (int half = 0; half < 2; half++) {
                int ql = o + 64 * half;
                int qh = o + 128 + 32 * half;
                int sc = o + 192 + 8 * half;
                int out = blk * 256 + 128 * half;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int h = b[qh + l] & 0xFF;
                    int q1 = ((b[ql + l] & 0xF) | ((h & 3) << 4)) - 32;
                    int q2 = ((b[ql + l + 32] & 0xF) | (((h >> 2) & 3) << 4)) - 32;
                    int q3 = (((b[ql + l] & 0xFF) >> 4) | (((h >> 4) & 3) << 4)) - 32;
                    int q4 = (((b[ql + l + 32] & 0xFF) >> 4) | (((h >> 6) & 3) << 4)) - 32;
                    y[out + l] = d * b[sc + is] * q1;
                    y[out + l + 32] = d * b[sc + is + 2] * q2;
                    y[out + l + 64] = d * b[sc + is + 4] * q3;
                    y[out + l + 96] = d * b[sc + is + 6] * q4;
                }
            }
        }
        return y;
    }

    static float[] gaussian(long seed, int n, float std) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian() * std;
        return x;
    }

    static double relativeRmsError(float[] x, float[] y) {
        double err = 0;
        double sig = 0;
        for (int i = 0; i < x.length; i++) {
            err += (x[i] - y[i]) * (double) (x[i] - y[i]);
            sig += x[i] * (double) x[i];
        }
        return Math.sqrt(err / sig);
    }

    // ---- F16, BF16, F32 ---------------------------------------------------------------------------------------------

    @Test
    void f16RoundsToNearestEven() {
        float[] x = {1f, -2f, 65504f, 65520f, 0x1p-24f, 1 + 0x1p-11f, 1 + 3 * 0x1p-11f, 1f / 3, -0f};
        byte[] b = Quantizer.quantize(GgmlType.F16, x);
        int[] expected = {0x3C00, 0xC000, 0x7BFF, 0x7C00, 0x0001, 0x3C00, 0x3C02, 0x3555, 0x8000};
        for (int i = 0; i < x.length; i++) {
            assertThat(u16(b, 2 * i)).as("f16 of " + x[i]).isEqualTo(expected[i]);
        }
        float[] r = gaussian(1, 1000, 3);
        byte[] rb = Quantizer.quantize(GgmlType.F16, r);
        for (int i = 0; i < r.length; i++) {
            assertThat(half(u16(rb, 2 * i))).isCloseTo(r[i], org.assertj.core.data.Offset.offset(Math.abs(r[i]) * 0x1p-11f));
        }
    }

    @Test
    void bf16RoundsToNearestEvenAndQuietsNaN() {
        float[] x = {1f, Float.intBitsToFloat(0x3F808000), Float.intBitsToFloat(0x3F818000),
                Float.intBitsToFloat(0x3F808001), Float.intBitsToFloat(0x7F800001), Float.NEGATIVE_INFINITY};
        byte[] b = Quantizer.quantize(GgmlType.BF16, x);
        int[] expected = {0x3F80, 0x3F80, 0x3F82, 0x3F81, 0x7FC0, 0xFF80};
        for (int i = 0; i < x.length; i++) {
            assertThat(u16(b, 2 * i)).as("bf16 #" + i).isEqualTo(expected[i]);
        }
    }

    @Test
    void f32IsLittleEndianBits() {
        byte[] b = Quantizer.quantize(GgmlType.F32, new float[] {1f, -0f});
        assertThat(b).containsExactly(0, 0, 0x80, 0x3F, 0, 0, 0, 0x80);
    }

    // ---- Q8_0 and Q4_0 ----------------------------------------------------------------------------------------------

    @Test
    void q8_0MatchesTheReferenceRounding() {
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) x[j] = j - 16;
        byte[] b = Quantizer.quantize(GgmlType.Q8_0, x);
        assertThat(b).hasSize(34);
        assertThat(u16(b, 0)).isEqualTo(Float.floatToFloat16(16f / 127) & 0xFFFF);
        float id = 1 / (16f / 127);
        for (int j = 0; j < 32; j++) {
            // roundf: halves away from zero, so -63.5 -> -64 (x = -8) and 63.5 -> 64 (x = 8)
            int expected = (int) Math.signum(x[j] * id) * (int) Math.floor(Math.abs(x[j] * id) + 0.5);
            assertThat(b[2 + j]).as("q[" + j + "]").isEqualTo((byte) expected);
        }
        assertThat(b[2 + 8]).isEqualTo((byte) -64);
        assertThat(b[2 + 24]).isEqualTo((byte) 64);
        assertThat(b[2]).isEqualTo((byte) -127);
    }

    @Test
    void q4_0UsesTheSignedExtreme() {
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) x[j] = j - 16; // extreme is -16 at j = 0: d = -16 / -8 = 2
        byte[] b = Quantizer.quantize(GgmlType.Q4_0, x);
        assertThat(half(u16(b, 0))).isEqualTo(2f);
        for (int j = 0; j < 16; j++) {
            int lo = Math.min(15, (int) ((j - 16) * 0.5f + 8.5f));
            int hi = Math.min(15, (int) ((j) * 0.5f + 8.5f));
            assertThat(b[2 + j] & 0xFF).as("byte " + j).isEqualTo(lo | hi << 4);
        }
        // a positive extreme gives a negative d
        x[0] = 0;
        x[31] = 24;
        assertThat(half(u16(Quantizer.quantize(GgmlType.Q4_0, x), 0))).isEqualTo(-3f);
    }

    @Test
    void zeroBlocksEncodeAsGgmlDoes() {
        byte[] q8 = Quantizer.quantize(GgmlType.Q8_0, new float[32]);
        assertThat(q8).containsOnly(0);
        byte[] q4 = Quantizer.quantize(GgmlType.Q4_0, new float[32]);
        // d = 0 / -8 = -0.0, and every value lands on level 8
        assertThat(u16(q4, 0)).isEqualTo(0x8000);
        for (int j = 2; j < 18; j++) assertThat(q4[j] & 0xFF).isEqualTo(0x88);
        // K-quants: whatever the levels, the scales are zero (-0.0 from a zero scale times a negative level is fine)
        for (float v : decodeQ4_K(Quantizer.quantize(GgmlType.Q4_K, new float[256]), 256)) assertThat(v == 0).isTrue();
        for (float v : decodeQ6_K(Quantizer.quantize(GgmlType.Q6_K, new float[256]), 256)) assertThat(v == 0).isTrue();
    }

    @Test
    void q8_0AndQ4_0DecodeWithinHalfAStep() {
        float[] x = gaussian(2, 32 * 500, 0.05f);
        x[5] = 0; // a mixed block with exact zeros
        float[] y8 = decodeQ8_0(Quantizer.quantize(GgmlType.Q8_0, x), x.length);
        float[] y4 = decodeQ4_0(Quantizer.quantize(GgmlType.Q4_0, x), x.length);
        for (int blk = 0; blk < x.length / 32; blk++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[blk * 32 + j]));
            float d8 = amax / 127;
            float d4 = amax / 8;
            for (int j = 0; j < 32; j++) {
                int i = blk * 32 + j;
                // half a step, plus what the F16 scale's rounding moves the largest level
                assertThat(Math.abs(y8[i] - x[i])).as("q8_0 #" + i).isLessThanOrEqualTo(d8 * (0.5f + 128f / 2048) + 1e-9f);
                // the level opposite the extreme clamps at 15: up to one full step there
                assertThat(Math.abs(y4[i] - x[i])).as("q4_0 #" + i).isLessThanOrEqualTo(d4 * (1f + 8f / 2048) + 1e-9f);
            }
        }
        assertThat(relativeRmsError(x, y8)).isLessThan(0.01);
        assertThat(relativeRmsError(x, y4)).isLessThan(0.15);
    }

    // ---- K-quants ---------------------------------------------------------------------------------------------------

    @Test
    void q4_KDecodesCloseToTheInput() {
        float[] x = gaussian(3, 256 * 200, 0.02f);
        byte[] b = Quantizer.quantize(GgmlType.Q4_K, x);
        assertThat(b).hasSize(144 * 200);
        float[] y = decodeQ4_K(b, x.length);
        assertThat(relativeRmsError(x, y)).isLessThan(0.12);
        for (int sub = 0; sub < x.length / 32; sub++) {
            float min = 0;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < 32; i++) {
                min = Math.min(min, x[sub * 32 + i]);
                max = Math.max(max, x[sub * 32 + i]);
            }
            for (int i = 0; i < 32; i++) {
                // a fifteenth of the range per step; scale rounding to 6 bits can push the extremes a step off
                assertThat(Math.abs(y[sub * 32 + i] - x[sub * 32 + i])).as("sub-block " + sub + " #" + i)
                        .isLessThanOrEqualTo((max - min) / 15 * 1.5f);
            }
        }
    }

    @Test
    void q4_KKeepsEachSubBlocksOffsetInItsPlace() {
        // each sub-block sits at its own level: a mixed-up scale/min packing would move values between levels
        float[] x = new float[256];
        Random r = new Random(4);
        for (int i = 0; i < 256; i++) x[i] = -0.5f + 0.1f * (i / 32) + 0.01f * (float) r.nextGaussian();
        float[] y = decodeQ4_K(Quantizer.quantize(GgmlType.Q4_K, x), 256);
        for (int i = 0; i < 256; i++) {
            assertThat(y[i]).as("#" + i).isCloseTo(x[i], org.assertj.core.data.Offset.offset(0.03f));
        }
    }

    @Test
    void q6_KDecodesCloseToTheInput() {
        float[] x = gaussian(5, 256 * 200, 0.02f);
        x[17] = 0.3f; // an outlier: its sub-block's scale becomes the block's largest
        byte[] b = Quantizer.quantize(GgmlType.Q6_K, x);
        assertThat(b).hasSize(210 * 200);
        float[] y = decodeQ6_K(b, x.length);
        assertThat(relativeRmsError(x, y)).isLessThan(0.03);
        for (int sub = 0; sub < x.length / 16; sub++) {
            float amax = 0;
            for (int i = 0; i < 16; i++) amax = Math.max(amax, Math.abs(x[sub * 16 + i]));
            for (int i = 0; i < 16; i++) {
                assertThat(Math.abs(y[sub * 16 + i] - x[sub * 16 + i])).as("sub-block " + sub + " #" + i)
                        .isLessThanOrEqualTo(amax / 32 * 2 + 1e-6f);
            }
        }
    }

    @Test
    void q6_KSubBlocksAreInValueOrder() {
        float[] x = new float[256];
        for (int i = 0; i < 256; i++) x[i] = (i / 16 - 7.5f) * 0.1f + (i % 16) * 0.001f;
        float[] y = decodeQ6_K(Quantizer.quantize(GgmlType.Q6_K, x), 256);
        for (int i = 0; i < 256; i++) {
            assertThat(y[i]).as("#" + i).isCloseTo(x[i], org.assertj.core.data.Offset.offset(0.02f));
        }
    }

    // ---- API ---------------------------------------------------------------------------------------------------------

    @Test
    void writesAtOffsetsAndRejectsBadArguments() {
        float[] x = gaussian(6, 96, 1);
        byte[] whole = Quantizer.quantize(GgmlType.Q8_0, x);
        byte[] dst = new byte[7 + 68];
        int n = Quantizer.quantize(GgmlType.Q8_0, x, 32, 64, dst, 7);
        assertThat(n).isEqualTo(68);
        assertThat(java.util.Arrays.copyOfRange(dst, 7, 75)).isEqualTo(java.util.Arrays.copyOfRange(whole, 34, 102));

        assertThat(Quantizer.supports(GgmlType.Q5_0)).isFalse();
        assertThatThrownBy(() -> Quantizer.quantize(GgmlType.Q5_0, new float[32])).hasMessageContaining("Q5_0");
        assertThatThrownBy(() -> Quantizer.quantize(GgmlType.Q8_0, new float[48])).hasMessageContaining("48 values");
        assertThatThrownBy(() -> Quantizer.quantize(GgmlType.Q8_0, x, 80, 32, new byte[34], 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void aUserNamedTypeIsReadInAnyCaseAndOnlyWhenItCanBeWritten() {
        assertThat(Quantizer.writableType("q4_k")).isEqualTo(GgmlType.Q4_K);
        assertThat(Quantizer.writableType(" F16 ")).isEqualTo(GgmlType.F16);
        assertThat(Quantizer.writableType("Bf16")).isEqualTo(GgmlType.BF16);
        assertThatThrownBy(() -> Quantizer.writableType("q5_k")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'q5_k' is not a type Fovea writes").hasMessageContaining("q6_k");
        assertThatThrownBy(() -> Quantizer.writableType("q9")).isInstanceOf(IllegalArgumentException.class);
    }
}
