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

    /** out[r] = row r · token 0 of {@code a} (Q8_K activations) for every row. */
    static void decode(MemorySegment il, int rows, int cols, QuantizedActivations a, float[] out, Parallel pool) {
        pool.forRange(rows / ROWS, (from, to) -> groups(il, cols / 256, a.q, a.scale, out, from, to));
    }

    private static FloatVector six(IntVector low, int lowShift, IntVector high, int highShift) {
        IntVector q = low.lanewise(VectorOperators.LSHR, lowShift).and(0xF)
                .or(high.lanewise(VectorOperators.LSHR, highShift).and(3).lanewise(VectorOperators.LSHL, 4));
        return (FloatVector) q.sub(32).convert(VectorOperators.I2F, 0);
    }

    private static void groups(MemorySegment il, int blocks, float[] x, float[] yd, float[] out, int from, int to) {
        // a narrow CPU runs each group's 16 rows as parts of VectorWidth.LANES rows
        for (int gp = from * VectorWidth.PARTS; gp < to * VectorWidth.PARTS; gp++) {
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
                            int xe = 256 * b + 128 * h + 4 * c;
                            for (int i = 0; i < 4; i++) {
                                k0 = six(lowA, 8 * i, high, 8 * i).fma(FloatVector.broadcast(F, x[xe + i]), k0);
                                k1 = six(lowB, 8 * i, high, 8 * i + 2).fma(FloatVector.broadcast(F, x[xe + 32 + i]), k1);
                                k2 = six(lowA, 8 * i + 4, high, 8 * i + 4).fma(FloatVector.broadcast(F, x[xe + 64 + i]), k2);
                                k3 = six(lowB, 8 * i + 4, high, 8 * i + 6).fma(FloatVector.broadcast(F, x[xe + 96 + i]), k3);
                            }
                        }
                        int s0 = 8 * h + half;
                        sumi = sumi.add(scaled(k0, il, rec, l0, s0)).add(scaled(k1, il, rec, l0, s0 + 2))
                                .add(scaled(k2, il, rec, l0, s0 + 4)).add(scaled(k3, il, rec, l0, s0 + 6));
                    }
                }
                FloatVector d = FloatVector.fromMemorySegment(F, il, rec + 4 * l0, LE);
                sum = sum.add(FloatVector.broadcast(F, yd[b]).mul(d).mul((FloatVector) sumi.convert(VectorOperators.I2F, 0)));
            }
            sum.intoArray(out, ROWS * g + l0);
        }
    }

    /** A sub-block's exact sums (float lanes) times its int8 scales, in int. */
    private static IntVector scaled(FloatVector sums, MemorySegment il, long rec, int l0, int sub) {
        IntVector sc = (IntVector) ByteVector.fromMemorySegment(B, il, rec + SCALES + (long) ROWS * sub + l0, LE)
                .convertShape(VectorOperators.B2I, I, 0);
        return ((IntVector) sums.convert(VectorOperators.F2I, 0)).mul(sc);
    }
}
