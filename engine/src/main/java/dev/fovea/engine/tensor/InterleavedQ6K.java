package dev.fovea.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q6_K weights repacked at load so that 16 consecutive rows share each block position, and the single-token
 * product over that layout with the 16 rows in the vector lanes (Q4_K_M files keep their output matrix and part of
 * attn_v / ffn_down in Q6_K).
 *
 * <p>Record of rows 16g … 16g+15, block b ({@value #RECORD} bytes, 1 % more than the file's 16 × 210): the rows' d as
 * F32, their 16 int8 sub-block scales ([sub-block][row]), the 32 int columns of the 128 low-nibble bytes and the 16
 * int columns of the 64 high-bit bytes, each with the 16 rows' ints side by side. Element 128h + 32k + l takes its
 * low 4 bits from ql[64h + 32(k mod 2) + l] (low nibble for k < 2, else high) and its top 2 bits from bits 2k, 2k+1
 * of qh[32h + l].
 *
 * <p>Bits: each 16-value sub-block's Σ (q − 32)·x is exact in float lanes and is scaled in int; then the row
 * kernel's {@code sum += (yd·d)·sumi} runs lane by lane, so results equal {@link QuantRowDot}'s bit for bit.
 */
final class InterleavedQ6K {
    static final int ROWS = KQuantRecords.ROWS;
    static final int RECORD = 4 * ROWS + 16 * ROWS + 48 * 4 * ROWS;
    private static final int SCALES = 4 * ROWS;
    private static final int LOW = SCALES + 16 * ROWS;
    private static final int HIGH = LOW + 32 * 4 * ROWS;
    private static final VectorSpecies<Float> F = VectorWidth.F;
    private static final VectorSpecies<Integer> I = VectorWidth.I;
    private static final VectorSpecies<Byte> B = VectorWidth.B;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfInt I32 = KQuantRecords.I32;
    private static final ValueLayout.OfFloat F32 = KQuantRecords.F32;

    private InterleavedQ6K() {
    }

    /** The repacked copy of a Q6_K matrix (ggml's layout), or null when its row count is not a multiple of 16. */
    static MemorySegment repack(MemorySegment data, int rows, int cols) {
        return KQuantRecords.repack(data, GgmlType.Q6_K, rows, cols, RECORD, (block, out, dst, r) -> {
            out.set(F32, dst + 4L * r, BlockDecoder.half(block, 208));
            for (int s = 0; s < 16; s++) {
                out.set(ValueLayout.JAVA_BYTE, dst + SCALES + ROWS * s + r, block[192 + s]);
            }
            for (int c = 0; c < 48; c++) {
                out.set(I32, dst + LOW + 4L * (ROWS * c + r), KQuantRecords.intAt(block, 4 * c)); // c ≥ 32: HIGH
            }
        });
    }

    /**
     * out[t][r] = row r · token t of {@code a} (Q8_K activations) for every row and t in [0, n), each token by the
     * single-token kernel while a group's weights are in cache.
     */
    static void products(MemorySegment il, int rows, int cols, QuantizedActivations a, int n, float[] out,
                         Parallel pool) {
        pool.forRange(rows / ROWS, (from, to) -> groups(il, rows, cols, a.q, a.scale, n, out, from, to));
    }

    private static void groups(MemorySegment il, int rows, int cols, float[] x, float[] yd, int n, float[] out,
                               int from, int to) {
        int blocks = cols / 256;
        // a narrow CPU runs each group's 16 rows as parts of VectorWidth.LANES rows
        for (int gpt = from * VectorWidth.PARTS * n; gpt < to * VectorWidth.PARTS * n; gpt++) {
            int gp = gpt / n;
            int t = gpt % n;
            int g = gp / VectorWidth.PARTS;
            int l0 = gp % VectorWidth.PARTS * VectorWidth.LANES;
            FloatVector sum = FloatVector.zero(F);
            long rec = (long) g * blocks * RECORD;
            for (int b = 0; b < blocks; b++, rec += RECORD) {
                IntVector sumi = IntVector.zero(I);
                for (int h = 0; h < 2; h++) {
                    for (int half = 0; half < 2; half++) {
                        // l in [16·half, 16·half + 16): sub-blocks 8h + 2k + half for the four k
                        FloatVector k0 = FloatVector.zero(F);
                        FloatVector k1 = FloatVector.zero(F);
                        FloatVector k2 = FloatVector.zero(F);
                        FloatVector k3 = FloatVector.zero(F);
                        for (int c = 4 * half; c < 4 * half + 4; c++) {
                            IntVector lowA = IntVector.fromMemorySegment(I, il, rec + LOW + 64L * (16 * h + c) + 4 * l0, LE);
                            IntVector lowB = IntVector.fromMemorySegment(I, il, rec + LOW + 64L * (16 * h + 8 + c) + 4 * l0, LE);
                            IntVector high = IntVector.fromMemorySegment(I, il, rec + HIGH + 64L * (8 * h + c) + 4 * l0, LE);
                            int xe = t * cols + 256 * b + 128 * h + 4 * c;
                            // the six-bit quant of each lane, q − 32, written out: no helper with vector
                            // arguments in this loop (C2 may not inline it, and a vector crossing a call is boxed)
                            for (int i = 0; i < 4; i++) {
                                int sh = 8 * i;
                                k0 = ((FloatVector) lowA.lanewise(VectorOperators.LSHR, sh).and(0xF)
                                        .or(high.lanewise(VectorOperators.LSHR, sh).and(3).lanewise(VectorOperators.LSHL, 4))
                                        .sub(32).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, x[xe + i]), k0);
                                k1 = ((FloatVector) lowB.lanewise(VectorOperators.LSHR, sh).and(0xF)
                                        .or(high.lanewise(VectorOperators.LSHR, sh + 2).and(3).lanewise(VectorOperators.LSHL, 4))
                                        .sub(32).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, x[xe + 32 + i]), k1);
                                k2 = ((FloatVector) lowA.lanewise(VectorOperators.LSHR, sh + 4).and(0xF)
                                        .or(high.lanewise(VectorOperators.LSHR, sh + 4).and(3).lanewise(VectorOperators.LSHL, 4))
                                        .sub(32).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, x[xe + 64 + i]), k2);
                                k3 = ((FloatVector) lowB.lanewise(VectorOperators.LSHR, sh + 4).and(0xF)
                                        .or(high.lanewise(VectorOperators.LSHR, sh + 6).and(3).lanewise(VectorOperators.LSHL, 4))
                                        .sub(32).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, x[xe + 96 + i]), k3);
                            }
                        }
                        // each sub-block's exact sums times its int8 scales, in int
                        long sc = rec + SCALES + (long) ROWS * (8 * h + half) + l0;
                        sumi = sumi.add(((IntVector) k0.convert(VectorOperators.F2I, 0)).mul((IntVector) ByteVector
                                        .fromMemorySegment(B, il, sc, LE).convertShape(VectorOperators.B2I, I, 0)))
                                .add(((IntVector) k1.convert(VectorOperators.F2I, 0)).mul((IntVector) ByteVector
                                        .fromMemorySegment(B, il, sc + 2 * ROWS, LE).convertShape(VectorOperators.B2I, I, 0)))
                                .add(((IntVector) k2.convert(VectorOperators.F2I, 0)).mul((IntVector) ByteVector
                                        .fromMemorySegment(B, il, sc + 4 * ROWS, LE).convertShape(VectorOperators.B2I, I, 0)))
                                .add(((IntVector) k3.convert(VectorOperators.F2I, 0)).mul((IntVector) ByteVector
                                        .fromMemorySegment(B, il, sc + 6 * ROWS, LE).convertShape(VectorOperators.B2I, I, 0)));
                    }
                }
                FloatVector d = FloatVector.fromMemorySegment(F, il, rec + 4 * l0, LE);
                sum = sum.add(FloatVector.broadcast(F, yd[t * blocks + b]).mul(d).mul((FloatVector) sumi.convert(VectorOperators.I2F, 0)));
            }
            sum.intoArray(out, t * rows + ROWS * g + l0);
        }
    }
}
