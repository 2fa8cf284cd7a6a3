package dev.fovea.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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

    private DecodeBatchKernel() {
    }

    static boolean supports(GgmlType type) {
        return type == GgmlType.Q8_0 || type == GgmlType.Q4_0;
    }

    /** out[t][r] = row r · token t for t in [0, a.n); a holds the Q8_0-quantized activations of the batch. */
    static void run(GgmlType type, MemorySegment w, int rows, int cols, QuantizedActivations a, float[] out,
                    Parallel pool) {
        int n = a.n;
        int blocks = cols / 32;
        // activations transposed: for value k, the 16 tokens' quantized values side by side (zero past n)
        float[] xt = new float[cols * MAX_TOKENS];
        float[] dt = new float[blocks * MAX_TOKENS];
        for (int t = 0; t < n; t++) {
            for (int k = 0; k < cols; k++) {
                xt[k * MAX_TOKENS + t] = a.q[t * cols + k];
            }
            for (int b = 0; b < blocks; b++) {
                dt[b * MAX_TOKENS + t] = a.scale[t * blocks + b];
            }
        }
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
                    ByteVector q = ByteVector.fromMemorySegment(B16, w, off + 2, ByteOrder.LITTLE_ENDIAN);
                    if (q8) {
                        ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).intoArray(wf, 0);
                        ByteVector q2 = ByteVector.fromMemorySegment(B16, w, off + 18, ByteOrder.LITTLE_ENDIAN);
                        ((FloatVector) q2.convertShape(VectorOperators.B2F, F, 0)).intoArray(wf, 16);
                    } else {
                        ((FloatVector) q.and((byte) 0xF).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0))
                                .intoArray(wf, 0);
                        ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8)
                                .convertShape(VectorOperators.B2F, F, 0)).intoArray(wf, 16);
                    }
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
}
