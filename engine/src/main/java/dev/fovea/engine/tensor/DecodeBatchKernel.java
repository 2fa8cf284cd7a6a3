package dev.fovea.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q8_0 / Q4_0 weights times a decode batch of 8–16 tokens (continuous batching), tokens in the vector lanes: each
 * 32-value weight block is widened to floats once and broadcast against the activations of all tokens at once, so
 * a block costs about the same for 16 tokens as for one, and no horizontal reductions are needed.
 *
 * <p>Bit-identical to {@link QuantRowDot}: per token, the block's integer sum is exact (integer-valued floats
 * below 2^24, in any order), and the float steps after it are the same expressions in the same block order —
 * {@code t = dw·dx; sum = sum + sumi·t} — done lane-wise without fusing.
 */
final class DecodeBatchKernel {
    static final int MAX_TOKENS = 16;
    /**
     * Below this the row kernel per token is faster (measured at TinyLlama's 5632 × 2048: the batch kernel takes
     * about 5.5 row-kernel tokens per call whatever the batch, so it pays from 8 tokens on).
     */
    static final int MIN_TOKENS = 8;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Up to this many tokens, two rows share the 16 lanes (8 tokens each) instead of leaving half of them idle. */
    static final int PAIRED_TOKENS = 8;
    private static final VectorMask<Float> UPPER = VectorMask.fromLong(F, 0xFF00L);
    private static final VectorShuffle<Float> LOW_TO_UPPER = VectorShuffle.fromOp(F, i -> i < 8 ? i : i - 8);
    private static final VectorShuffle<Float> UPPER_TO_LOW = VectorShuffle.fromOp(F, i -> i < 8 ? i + 8 : i);
    private static final VectorShuffle<Float> P0 = pick(0);
    private static final VectorShuffle<Float> P1 = pick(1);
    private static final VectorShuffle<Float> P2 = pick(2);
    private static final VectorShuffle<Float> P3 = pick(3);
    private static final VectorShuffle<Float> P4 = pick(4);
    private static final VectorShuffle<Float> P5 = pick(5);
    private static final VectorShuffle<Float> P6 = pick(6);
    private static final VectorShuffle<Float> P7 = pick(7);

    /** Lanes 0–7 take lane k, lanes 8–15 take lane 8 + k: one weight of each of the two rows, 8 times each. */
    private static VectorShuffle<Float> pick(int k) {
        return VectorShuffle.fromOp(F, i -> i < 8 ? k : 8 + k);
    }

    private DecodeBatchKernel() {
    }

    static boolean supports(GgmlType type) {
        return type == GgmlType.Q8_0 || type == GgmlType.Q4_0;
    }

    /** out[t][r] = row r · token t for t in [0, a.n); a holds the Q8_0-quantized activations of the batch. */
    static void run(GgmlType type, MemorySegment w, int rows, int cols, QuantizedActivations a, float[] out,
                    Parallel pool) {
        if (a.n <= PAIRED_TOKENS) {
            runPaired(type, w, rows, cols, a, out, pool);
            return;
        }
        int n = a.n;
        int blocks = cols / 32;
        // activations transposed: for value k, the 16 tokens' quantized values side by side (zero past n)
        float[] xt = new float[cols * MAX_TOKENS];
        float[] dt = new float[blocks * MAX_TOKENS];
        transpose(a, cols, 0, xt, dt);
        long rowBytes = type.byteSize(cols);
        boolean q8 = type == GgmlType.Q8_0;
        int blockBytes = q8 ? 34 : 18;
        pool.forRange(rows, (from, to) -> {
            float[] wf = new float[32];
            float[] lanes = new float[MAX_TOKENS];
            for (int r = from; r < to; r++) {
                long off = r * rowBytes;
                FloatVector sum = FloatVector.zero(F);
                for (int b = 0; b < blocks; b++, off += blockBytes) {
                    float dw = Float.float16ToFloat(w.get(S16, off));
                    low(w, off, q8).intoArray(wf, 0);
                    high(w, off, q8).intoArray(wf, 16);
                    int x = b * 32 * MAX_TOKENS;
                    // eight independent chains: the FMA latency, not the one-block-per-token work, bounds a block
                    FloatVector a0 = FloatVector.zero(F);
                    FloatVector a1 = a0;
                    FloatVector a2 = a0;
                    FloatVector a3 = a0;
                    FloatVector a4 = a0;
                    FloatVector a5 = a0;
                    FloatVector a6 = a0;
                    FloatVector a7 = a0;
                    for (int k = 0; k < 32; k += 8) {
                        int p = x + k * MAX_TOKENS;
                        a0 = FloatVector.fromArray(F, xt, p).fma(FloatVector.broadcast(F, wf[k]), a0);
                        a1 = FloatVector.fromArray(F, xt, p + MAX_TOKENS).fma(FloatVector.broadcast(F, wf[k + 1]), a1);
                        a2 = FloatVector.fromArray(F, xt, p + 2 * MAX_TOKENS).fma(FloatVector.broadcast(F, wf[k + 2]), a2);
                        a3 = FloatVector.fromArray(F, xt, p + 3 * MAX_TOKENS).fma(FloatVector.broadcast(F, wf[k + 3]), a3);
                        a4 = FloatVector.fromArray(F, xt, p + 4 * MAX_TOKENS).fma(FloatVector.broadcast(F, wf[k + 4]), a4);
                        a5 = FloatVector.fromArray(F, xt, p + 5 * MAX_TOKENS).fma(FloatVector.broadcast(F, wf[k + 5]), a5);
                        a6 = FloatVector.fromArray(F, xt, p + 6 * MAX_TOKENS).fma(FloatVector.broadcast(F, wf[k + 6]), a6);
                        a7 = FloatVector.fromArray(F, xt, p + 7 * MAX_TOKENS).fma(FloatVector.broadcast(F, wf[k + 7]), a7);
                    }
                    // exact: integers below 2^24, so the order of these additions does not matter
                    FloatVector sumi = a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7)));
                    FloatVector scale = FloatVector.fromArray(F, dt, b * MAX_TOKENS).mul(dw);
                    sum = sum.add(sumi.mul(scale));
                }
                sum.intoArray(lanes, 0);
                for (int t = 0; t < n; t++) {
                    out[t * rows + r] = lanes[t];
                }
            }
        });
    }

    /**
     * Up to 8 tokens: rows r and r+1 share the lanes (row r's tokens in lanes 0–7, row r+1's in 8–15), each
     * weight reaching its 8 lanes by a permute of the converted block. The same expressions per (row, token) as
     * the 16-token path and the row kernel: exact integer block sums, then {@code sum + sumi·(dx·dw)}.
     */
    private static void runPaired(GgmlType type, MemorySegment w, int rows, int cols, QuantizedActivations a,
                                  float[] out, Parallel pool) {
        int n = a.n;
        int blocks = cols / 32;
        // each token's values twice: lanes t and 8 + t (zero past n)
        float[] xt = new float[cols * MAX_TOKENS];
        float[] dt = new float[blocks * MAX_TOKENS];
        transpose(a, cols, 0, xt, dt);
        transpose(a, cols, PAIRED_TOKENS, xt, dt);
        long rowBytes = type.byteSize(cols);
        boolean q8 = type == GgmlType.Q8_0;
        int blockBytes = q8 ? 34 : 18;
        pool.forRange(rows, (from, to) -> {
            float[] lanes = new float[MAX_TOKENS];
            for (int r = from; r < to; r += 2) {
                // an odd last row pairs with itself; its copy is dropped
                int r2 = r + 1 < to ? r + 1 : r;
                long offA = r * rowBytes;
                long offB = r2 * rowBytes;
                FloatVector sum = FloatVector.zero(F);
                for (int b = 0; b < blocks; b++, offA += blockBytes, offB += blockBytes) {
                    float dwA = Float.float16ToFloat(w.get(S16, offA));
                    float dwB = Float.float16ToFloat(w.get(S16, offB));
                    FloatVector aLo = low(w, offA, q8);
                    FloatVector aHi = high(w, offA, q8);
                    FloatVector bLo = low(w, offB, q8);
                    FloatVector bHi = high(w, offB, q8);
                    // v_g: row r's k = 8g … 8g+7 in lanes 0–7, row r2's in lanes 8–15
                    FloatVector v0 = aLo.blend(bLo.rearrange(LOW_TO_UPPER), UPPER);
                    FloatVector v1 = aLo.rearrange(UPPER_TO_LOW).blend(bLo, UPPER);
                    FloatVector v2 = aHi.blend(bHi.rearrange(LOW_TO_UPPER), UPPER);
                    FloatVector v3 = aHi.rearrange(UPPER_TO_LOW).blend(bHi, UPPER);
                    int x = b * 32 * MAX_TOKENS;
                    FloatVector a0 = FloatVector.zero(F);
                    FloatVector a1 = a0;
                    FloatVector a2 = a0;
                    FloatVector a3 = a0;
                    FloatVector a4 = a0;
                    FloatVector a5 = a0;
                    FloatVector a6 = a0;
                    FloatVector a7 = a0;
                    a0 = FloatVector.fromArray(F, xt, x + 0 * MAX_TOKENS).fma(v0.rearrange(P0), a0);
                    a1 = FloatVector.fromArray(F, xt, x + 1 * MAX_TOKENS).fma(v0.rearrange(P1), a1);
                    a2 = FloatVector.fromArray(F, xt, x + 2 * MAX_TOKENS).fma(v0.rearrange(P2), a2);
                    a3 = FloatVector.fromArray(F, xt, x + 3 * MAX_TOKENS).fma(v0.rearrange(P3), a3);
                    a4 = FloatVector.fromArray(F, xt, x + 4 * MAX_TOKENS).fma(v0.rearrange(P4), a4);
                    a5 = FloatVector.fromArray(F, xt, x + 5 * MAX_TOKENS).fma(v0.rearrange(P5), a5);
                    a6 = FloatVector.fromArray(F, xt, x + 6 * MAX_TOKENS).fma(v0.rearrange(P6), a6);
                    a7 = FloatVector.fromArray(F, xt, x + 7 * MAX_TOKENS).fma(v0.rearrange(P7), a7);
                    a0 = FloatVector.fromArray(F, xt, x + 8 * MAX_TOKENS).fma(v1.rearrange(P0), a0);
                    a1 = FloatVector.fromArray(F, xt, x + 9 * MAX_TOKENS).fma(v1.rearrange(P1), a1);
                    a2 = FloatVector.fromArray(F, xt, x + 10 * MAX_TOKENS).fma(v1.rearrange(P2), a2);
                    a3 = FloatVector.fromArray(F, xt, x + 11 * MAX_TOKENS).fma(v1.rearrange(P3), a3);
                    a4 = FloatVector.fromArray(F, xt, x + 12 * MAX_TOKENS).fma(v1.rearrange(P4), a4);
                    a5 = FloatVector.fromArray(F, xt, x + 13 * MAX_TOKENS).fma(v1.rearrange(P5), a5);
                    a6 = FloatVector.fromArray(F, xt, x + 14 * MAX_TOKENS).fma(v1.rearrange(P6), a6);
                    a7 = FloatVector.fromArray(F, xt, x + 15 * MAX_TOKENS).fma(v1.rearrange(P7), a7);
                    a0 = FloatVector.fromArray(F, xt, x + 16 * MAX_TOKENS).fma(v2.rearrange(P0), a0);
                    a1 = FloatVector.fromArray(F, xt, x + 17 * MAX_TOKENS).fma(v2.rearrange(P1), a1);
                    a2 = FloatVector.fromArray(F, xt, x + 18 * MAX_TOKENS).fma(v2.rearrange(P2), a2);
                    a3 = FloatVector.fromArray(F, xt, x + 19 * MAX_TOKENS).fma(v2.rearrange(P3), a3);
                    a4 = FloatVector.fromArray(F, xt, x + 20 * MAX_TOKENS).fma(v2.rearrange(P4), a4);
                    a5 = FloatVector.fromArray(F, xt, x + 21 * MAX_TOKENS).fma(v2.rearrange(P5), a5);
                    a6 = FloatVector.fromArray(F, xt, x + 22 * MAX_TOKENS).fma(v2.rearrange(P6), a6);
                    a7 = FloatVector.fromArray(F, xt, x + 23 * MAX_TOKENS).fma(v2.rearrange(P7), a7);
                    a0 = FloatVector.fromArray(F, xt, x + 24 * MAX_TOKENS).fma(v3.rearrange(P0), a0);
                    a1 = FloatVector.fromArray(F, xt, x + 25 * MAX_TOKENS).fma(v3.rearrange(P1), a1);
                    a2 = FloatVector.fromArray(F, xt, x + 26 * MAX_TOKENS).fma(v3.rearrange(P2), a2);
                    a3 = FloatVector.fromArray(F, xt, x + 27 * MAX_TOKENS).fma(v3.rearrange(P3), a3);
                    a4 = FloatVector.fromArray(F, xt, x + 28 * MAX_TOKENS).fma(v3.rearrange(P4), a4);
                    a5 = FloatVector.fromArray(F, xt, x + 29 * MAX_TOKENS).fma(v3.rearrange(P5), a5);
                    a6 = FloatVector.fromArray(F, xt, x + 30 * MAX_TOKENS).fma(v3.rearrange(P6), a6);
                    a7 = FloatVector.fromArray(F, xt, x + 31 * MAX_TOKENS).fma(v3.rearrange(P7), a7);
                    // exact: integers below 2^24, so the order of these additions does not matter
                    FloatVector sumi = a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7)));
                    FloatVector dw = FloatVector.broadcast(F, dwA).blend(FloatVector.broadcast(F, dwB), UPPER);
                    FloatVector scale = FloatVector.fromArray(F, dt, b * MAX_TOKENS).mul(dw);
                    sum = sum.add(sumi.mul(scale));
                }
                sum.intoArray(lanes, 0);
                for (int t = 0; t < n; t++) {
                    out[t * rows + r] = lanes[t];
                    if (r2 != r) {
                        out[t * rows + r2] = lanes[PAIRED_TOKENS + t];
                    }
                }
            }
        });
    }

    /**
     * Token t's quantized values and block scales into lane {@code lane0 + t} of every 16-lane group: {@code xt}
     * is [k][16], {@code dt} is [block][16].
     */
    private static void transpose(QuantizedActivations a, int cols, int lane0, float[] xt, float[] dt) {
        int blocks = cols / 32;
        for (int t = 0; t < a.n; t++) {
            for (int k = 0; k < cols; k++) {
                xt[k * MAX_TOKENS + lane0 + t] = a.q[t * cols + k];
            }
            for (int b = 0; b < blocks; b++) {
                dt[b * MAX_TOKENS + lane0 + t] = a.scale[t * blocks + b];
            }
        }
    }

    /** Weights k = 0…15 of a block as floats. */
    private static FloatVector low(MemorySegment w, long off, boolean q8) {
        ByteVector q = ByteVector.fromMemorySegment(B16, w, off + 2, ByteOrder.LITTLE_ENDIAN);
        return (FloatVector) (q8 ? q : q.and((byte) 0xF).sub((byte) 8)).convertShape(VectorOperators.B2F, F, 0);
    }

    /** Weights k = 16…31 of a block as floats. */
    private static FloatVector high(MemorySegment w, long off, boolean q8) {
        if (q8) {
            return (FloatVector) ByteVector.fromMemorySegment(B16, w, off + 18, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, F, 0);
        }
        ByteVector q = ByteVector.fromMemorySegment(B16, w, off + 2, ByteOrder.LITTLE_ENDIAN);
        return (FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0);
    }
}
