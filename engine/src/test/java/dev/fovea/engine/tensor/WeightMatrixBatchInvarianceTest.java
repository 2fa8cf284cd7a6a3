package dev.fovea.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Row t of {@code matMul(x, n)} must be bit-identical to {@code matVec(x_t)} for every type, batch size and
 * thread count, and both must agree with the dequantized matrix to within the activation quantization error.
 */
class WeightMatrixBatchInvarianceTest {
    private static Parallel one;
    private static Parallel two;

    @BeforeAll
    static void pools() {
        one = Parallel.create(1);
        two = Parallel.create(2);
    }

    @AfterAll
    static void close() {
        one.close();
        two.close();
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(GgmlType.F32, 75, 200),
                Arguments.of(GgmlType.F16, 75, 512),
                Arguments.of(GgmlType.BF16, 33, 96),
                Arguments.of(GgmlType.Q8_0, 75, 512),
                Arguments.of(GgmlType.Q8_0, 130, 96),
                Arguments.of(GgmlType.Q8_0, 96, 512),
                Arguments.of(GgmlType.Q4_0, 160, 352),
                Arguments.of(GgmlType.Q4_0, 75, 512),
                Arguments.of(GgmlType.Q4_0, 9, 352),
                // odd group counts: the last 16-row group has no partner in the repacked order
                Arguments.of(GgmlType.Q8_0, 80, 256),
                Arguments.of(GgmlType.Q4_0, 48, 352),
                Arguments.of(GgmlType.Q4_K, 75, 512),
                // row counts of 16k: Q4_K single-token products read the row-interleaved copy
                Arguments.of(GgmlType.Q4_K, 96, 512),
                Arguments.of(GgmlType.Q4_K, 48, 1024),
                Arguments.of(GgmlType.Q6_K, 32, 768),
                Arguments.of(GgmlType.Q5_K, 75, 512),
                // rows of 16k: Q5_K products under 16 tokens read the row-interleaved copy
                Arguments.of(GgmlType.Q5_K, 64, 768),
                Arguments.of(GgmlType.Q6_K, 75, 768),
                Arguments.of(GgmlType.Q4_1, 75, 352),
                Arguments.of(GgmlType.Q5_0, 75, 352),
                Arguments.of(GgmlType.Q5_1, 33, 512),
                Arguments.of(GgmlType.IQ4_NL, 75, 320),
                Arguments.of(GgmlType.Q2_K, 75, 512),
                Arguments.of(GgmlType.Q3_K, 75, 768),
                Arguments.of(GgmlType.IQ4_XS, 40, 512));
    }

    /** Byte offsets of a block's F16 scale fields, for the types made from random bytes. */
    private static int[] scaleFields(GgmlType type) {
        return switch (type) {
            case Q5_K, Q4_1, Q5_1 -> new int[] {0, 2};
            case Q5_0, IQ4_NL, IQ4_XS -> new int[] {0};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            default -> null;
        };
    }

    static WeightMatrix random(GgmlType type, int rows, int cols, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] fields = scaleFields(type);
        if (fields != null) {
            // no encoder for these types: random quants, scales and mins with small finite F16 scale fields
            byte[] b = new byte[Math.toIntExact(type.byteSize(cols) * rows)];
            rnd.nextBytes(b);
            MemorySegment s = MemorySegment.ofArray(b);
            for (int blk = 0; blk < b.length / type.typeSize(); blk++) {
                for (int f = 0; f < fields.length; f++) {
                    s.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, (long) type.typeSize() * blk + fields[f],
                            Float.floatToFloat16((float) (f == 0 ? rnd.nextDouble(0.001, 0.01) : rnd.nextDouble(0.0, 0.01))));
                }
            }
            return WeightMatrix.of(s, type, rows, cols);
        }
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.05);
        }
        return WeightMatrix.of(MemorySegment.ofArray(Quantizer.quantize(type, v)), type, rows, cols);
    }

    static float[] activations(int n, int cols, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        // exercise the edge cases of activation quantization: an all-zero block and a lone large value
        java.util.Arrays.fill(x, 0, Math.min(cols, 256), 0f);
        x[x.length - 1] = 40f;
        return x;
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void matMulRowsEqualMatVec(GgmlType type, int rows, int cols) {
        WeightMatrix m = random(type, rows, cols, rows * 31L + cols);
        int maxN = 64;
        float[] x = activations(maxN, cols, 5);
        float[][] expected = new float[maxN][rows];
        for (int t = 0; t < maxN; t++) {
            float[] xt = java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols);
            m.matVec(xt, expected[t], one);
            float[] again = new float[rows];
            m.matVec(xt, again, two);
            assertArrayEquals(expected[t], again, "matVec with 2 threads, token " + t);
            for (int r = 0; r < rows; r += 7) {
                assertThat(m.dot(r, x, t * cols)).as("dot row %d token %d", r, t).isEqualTo(expected[t][r]);
            }
        }
        for (int n : new int[] {1, 2, 3, 8, 16, 17, 64}) {
            for (Parallel pool : new Parallel[] {one, two}) {
                float[] out = new float[n * rows];
                m.matMul(x, n, out, pool);
                for (int t = 0; t < n; t++) {
                    assertArrayEquals(expected[t], java.util.Arrays.copyOfRange(out, t * rows, (t + 1) * rows),
                            type + " n=" + n + " threads=" + pool.threads() + " token " + t);
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void matricesSharingAnInputGiveTheirOwnProducts() {
        // q, k, v-like: two Q8_0 shapes sharing Q8_0 activations, a Q4_0 (same format), a Q4_K (Q8_K format) and
        // an F16 (no quantization), all reading the same input
        int cols = 512;
        WeightMatrix[] ws = {random(GgmlType.Q8_0, 96, cols, 1), random(GgmlType.Q8_0, 32, cols, 2),
                random(GgmlType.Q4_0, 48, cols, 3), random(GgmlType.Q4_K, 40, cols, 4), random(GgmlType.F16, 24, cols, 5)};
        float[] x = activations(20, cols, 9);
        for (int n : new int[] {1, 3, 8, 20}) {
            for (Parallel pool : new Parallel[] {one, two}) {
                float[][] outs = new float[ws.length][];
                for (int i = 0; i < ws.length; i++) {
                    outs[i] = new float[n * ws[i].rows()];
                }
                WeightMatrix.matMulSameInput(x, n, pool, ws, outs);
                for (int i = 0; i < ws.length; i++) {
                    float[] expected = new float[n * ws[i].rows()];
                    if (n == 1) {
                        ws[i].matVec(x, expected, one);
                    } else {
                        ws[i].matMul(x, n, expected, one);
                    }
                    assertArrayEquals(expected, outs[i], ws[i].type() + " n=" + n + " threads=" + pool.threads());
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void agreesWithDequantizedProduct(GgmlType type, int rows, int cols) {
        WeightMatrix m = random(type, rows, cols, 11);
        float[] w = m.dequantize();
        float[] x = activations(1, cols, 9);
        float[] out = new float[rows];
        m.matVec(x, out, two);
        boolean floats = type == GgmlType.F32 || type == GgmlType.F16 || type == GgmlType.BF16;
        int block = floats ? cols : QuantMatMul.kind(type).block;
        // quantizing an activation moves it by at most half a step (amax/127 of its block), plus the F16
        // rounding of the Q8_0 scale (another 127·2^-11 of a step): 0.6 of a step bounds both
        float[] step = new float[cols];
        for (int b = 0; b < cols; b += block) {
            float amax = 0;
            for (int k = b; k < b + block; k++) {
                amax = Math.max(amax, Math.abs(x[k]));
            }
            java.util.Arrays.fill(step, b, b + block, floats ? 0f : amax / 127f);
        }
        double scale = 0;
        for (int r = 0; r < rows; r++) {
            double ref = 0;
            double mag = 0;
            double quantErr = 0;
            for (int k = 0; k < cols; k++) {
                ref += (double) w[r * cols + k] * x[k];
                mag += Math.abs((double) w[r * cols + k] * x[k]);
                quantErr += Math.abs(w[r * cols + k]) * 0.6 * step[k];
            }
            scale = Math.max(scale, mag);
            double tol = quantErr + 1e-5 * mag + 1e-6;
            assertThat((double) out[r]).as("row %d", r).isCloseTo(ref, org.assertj.core.data.Offset.offset(tol));
        }
        assertThat(scale).isPositive();
    }
}
