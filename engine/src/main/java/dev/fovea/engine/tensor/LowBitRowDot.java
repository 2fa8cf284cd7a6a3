package dev.fovea.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The mat-vec row kernels of the block types in {@link LowBitBlocks}, each against the activation format
 * llama.cpp's CPU backend pairs it with: Q8_0 for Q5_0 and IQ4_NL, Q8_1 for Q4_1 and Q5_1, Q8_K for Q2_K, Q3_K and
 * IQ4_XS. As in {@link QuantRowDot}, the integer sums of a block (or sub-block) are formed exactly in float lanes
 * (every partial sum stays below 2^24) and the float steps after them are fixed expressions in block order, so a
 * row's result does not depend on the batch it is computed in.
 */
final class LowBitRowDot {
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Float> F = VectorWidth.F;
    private static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteVector IQ4 = ByteVector.fromArray(B16, LowBitBlocks.IQ4_TABLE, 0);
    /** Lane j of the low (high) half of a 32-value block takes its fifth bit from qh byte j/8 (2 + j/8). */
    private static final VectorShuffle<Byte> QH_LO = VectorShuffle.fromValues(B16, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1,
            1, 1, 1, 1, 1);
    private static final VectorShuffle<Byte> QH_HI = VectorShuffle.fromValues(B16, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3,
            3, 3, 3, 3, 3);
    private static final ByteVector BIT_OF_LANE = ByteVector.fromArray(B16,
            new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7}, 0);

    private LowBitRowDot() {
    }

    static float dot(GgmlType type, MemorySegment w, long off, int cols, QuantizedActivations a, int t) {
        return switch (type) {
            case Q4_1, Q5_0, Q5_1, IQ4_NL -> small(type, w, off, cols, a, t);
            case Q2_K -> q2K(w, off, cols, a, t);
            case Q3_K -> q3K(w, off, cols, a, t);
            case IQ4_XS -> iq4xs(w, off, cols, a, t);
            default -> throw new IllegalArgumentException("not a low-bit block type: " + type);
        };
    }

    /** 16 in each lane whose fifth bit is set in the 4 qh bytes at {@code qh}, for the low or high 16 lanes. */
    private static ByteVector fifthBits(ByteVector qhBytes, VectorShuffle<Byte> half) {
        return qhBytes.rearrange(half).lanewise(VectorOperators.LSHR, BIT_OF_LANE).and((byte) 1)
                .lanewise(VectorOperators.LSHL, 4);
    }

    /** Q4_1 / Q5_1 (Q8_1 activations) and Q5_0 / IQ4_NL (Q8_0 activations): 32-value blocks. */
    private static float small(GgmlType type, MemorySegment w, long off, int cols, QuantizedActivations a, int t) {
        int blocks = cols / 32;
        int bytes = type.typeSize();
        boolean offset = type == GgmlType.Q4_1 || type == GgmlType.Q5_1;
        long qhAt = type == GgmlType.Q5_0 ? 2 : 4;
        long qsAt = switch (type) {
            case Q4_1 -> 4;
            case Q5_0 -> 6;
            case Q5_1 -> 8;
            default -> 2;
        };
        boolean five = type == GgmlType.Q5_0 || type == GgmlType.Q5_1;
        float[] x = a.q;
        int xo = t * cols;
        int so = t * blocks;
        float sum = 0;
        for (int b = 0; b < blocks; b++, off += bytes, xo += 32) {
            ByteVector q = QuantRowDot.bytes(w, off + qsAt);
            ByteVector lo = q.and((byte) 0xF);
            ByteVector hi = q.lanewise(VectorOperators.LSHR, 4);
            if (five) {
                ByteVector qh = QuantRowDot.bytes(w, off + qhAt); // lanes 0..3: qh; the rest (the nibbles) is not read
                lo = lo.or(fifthBits(qh, QH_LO));
                hi = hi.or(fifthBits(qh, QH_HI));
                if (type == GgmlType.Q5_0) {
                    lo = lo.sub((byte) 16);
                    hi = hi.sub((byte) 16);
                }
            } else if (type == GgmlType.IQ4_NL) {
                lo = lo.selectFrom(IQ4);
                hi = hi.selectFrom(IQ4);
            }
            // no helper with vector arguments here: C2 may not inline it, and a vector crossing a call is boxed
            FloatVector p = FloatVector.zero(F);
            p = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xo), p);
            if (VectorWidth.PARTS == 2) {
                p = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 1)).fma(FloatVector.fromArray(F, x, xo + 8), p);
            }
            p = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xo + 16), p);
            if (VectorWidth.PARTS == 2) {
                p = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 1)).fma(FloatVector.fromArray(F, x, xo + 16 + 8), p);
            }
            int sumi = QuantRowDot.intSum(p);
            float dw = QuantRowDot.half(w, off);
            if (offset) {
                sum += (dw * a.scale[so + b]) * sumi + QuantRowDot.half(w, off + 2) * a.scaledSum[so + b];
            } else {
                sum += sumi * (dw * a.scale[so + b]);
            }
        }
        return sum;
    }

    /** Q2_K × Q8_K: 16 sub-blocks of 16, each with a 4-bit scale and a 4-bit minimum. */
    private static float q2K(MemorySegment w, long off, int cols, QuantizedActivations a, int t) {
        float[] x = a.q;
        int xo = t * cols;
        int blocks = cols / 256;
        float sum = 0;
        for (int b = 0; b < blocks; b++, off += 84, xo += 256) {
            FloatVector acc = FloatVector.zero(F);
            for (int h = 0; h < 2; h++) {
                ByteVector q0 = QuantRowDot.bytes(w, off + 16 + 32 * h);
                ByteVector q1 = QuantRowDot.bytes(w, off + 16 + 32 * h + 16);
                for (int j = 0; j < 4; j++) {
                    int xs = xo + 128 * h + 32 * j;
                    int sub = 8 * h + 2 * j;
                    ByteVector v0 = q0.lanewise(VectorOperators.LSHR, 2 * j).and((byte) 3);
                    ByteVector v1 = q1.lanewise(VectorOperators.LSHR, 2 * j).and((byte) 3);
                    FloatVector s0 = FloatVector.broadcast(F, QuantRowDot.u(w, off + sub) & 0xF);
                    FloatVector s1 = FloatVector.broadcast(F, QuantRowDot.u(w, off + sub + 1) & 0xF);
                    acc = ((FloatVector) v0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xs)).fma(s0, acc);
                    if (VectorWidth.PARTS == 2) {
                        acc = ((FloatVector) v0.convertShape(VectorOperators.B2F, F, 1)).mul(FloatVector.fromArray(F, x, xs + 8))
                                .fma(s0, acc);
                    }
                    acc = ((FloatVector) v1.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xs + 16)).fma(s1, acc);
                    if (VectorWidth.PARTS == 2) {
                        acc = ((FloatVector) v1.convertShape(VectorOperators.B2F, F, 1)).mul(FloatVector.fromArray(F, x, xs + 16 + 8))
                                .fma(s1, acc);
                    }
                }
            }
            int isum = QuantRowDot.intSum(acc);
            int summs = 0;
            int bs = (t * blocks + b) * 16;
            for (int j = 0; j < 16; j++) {
                summs += (QuantRowDot.u(w, off + j) >> 4) * a.bsum16[bs + j];
            }
            float yd = a.scale[t * blocks + b];
            sum += (yd * QuantRowDot.half(w, off + 80)) * isum - (yd * QuantRowDot.half(w, off + 82)) * summs;
        }
        return sum;
    }

    /** Q3_K × Q8_K: 16 sub-blocks of 16 with 6-bit scales; quants −4..3 from 2 low bits and a high-bit mask. */
    private static float q3K(MemorySegment w, long off, int cols, QuantizedActivations a, int t) {
        float[] x = a.q;
        int xo = t * cols;
        int blocks = cols / 256;
        byte[] scales = new byte[12];
        float sum = 0;
        for (int b = 0; b < blocks; b++, off += 110, xo += 256) {
            MemorySegment.copy(w, ValueLayout.JAVA_BYTE, off + 96, scales, 0, 12);
            ByteVector m0 = QuantRowDot.bytes(w, off);
            ByteVector m1 = QuantRowDot.bytes(w, off + 16);
            FloatVector acc = FloatVector.zero(F);
            for (int h = 0; h < 2; h++) {
                ByteVector q0 = QuantRowDot.bytes(w, off + 32 + 32 * h);
                ByteVector q1 = QuantRowDot.bytes(w, off + 32 + 32 * h + 16);
                for (int j = 0; j < 4; j++) {
                    int bit = 4 * h + j;
                    // 4 where the high bit is clear: q = low2 − 4·(1 − bit)
                    ByteVector c0 = m0.lanewise(VectorOperators.LSHR, bit).and((byte) 1).lanewise(VectorOperators.LSHL, 2)
                            .lanewise(VectorOperators.XOR, (byte) 4);
                    ByteVector c1 = m1.lanewise(VectorOperators.LSHR, bit).and((byte) 1).lanewise(VectorOperators.LSHL, 2)
                            .lanewise(VectorOperators.XOR, (byte) 4);
                    ByteVector v0 = q0.lanewise(VectorOperators.LSHR, 2 * j).and((byte) 3).sub(c0);
                    ByteVector v1 = q1.lanewise(VectorOperators.LSHR, 2 * j).and((byte) 3).sub(c1);
                    int xs = xo + 128 * h + 32 * j;
                    int sub = 8 * h + 2 * j;
                    FloatVector s0 = FloatVector.broadcast(F, LowBitBlocks.q3Scale(scales, 0, sub) - 32);
                    FloatVector s1 = FloatVector.broadcast(F, LowBitBlocks.q3Scale(scales, 0, sub + 1) - 32);
                    acc = ((FloatVector) v0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xs)).fma(s0, acc);
                    if (VectorWidth.PARTS == 2) {
                        acc = ((FloatVector) v0.convertShape(VectorOperators.B2F, F, 1)).mul(FloatVector.fromArray(F, x, xs + 8))
                                .fma(s0, acc);
                    }
                    acc = ((FloatVector) v1.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xs + 16)).fma(s1, acc);
                    if (VectorWidth.PARTS == 2) {
                        acc = ((FloatVector) v1.convertShape(VectorOperators.B2F, F, 1)).mul(FloatVector.fromArray(F, x, xs + 16 + 8))
                                .fma(s1, acc);
                    }
                }
            }
            int sumi = QuantRowDot.intSum(acc);
            sum += (QuantRowDot.half(w, off + 108) * a.scale[t * blocks + b]) * sumi;
        }
        return sum;
    }

    /** IQ4_XS × Q8_K: 8 sub-blocks of 32 with 6-bit scales over IQ4_NL's table; sums kept as ints per block. */
    private static float iq4xs(MemorySegment w, long off, int cols, QuantizedActivations a, int t) {
        float[] x = a.q;
        int xo = t * cols;
        int blocks = cols / 256;
        float sum = 0;
        for (int b = 0; b < blocks; b++, off += 136, xo += 256) {
            int scalesH = w.get(S16, off + 2) & 0xFFFF;
            int scalesL = w.get(I32, off + 4);
            int sumi = 0;
            for (int sub = 0; sub < 8; sub++) {
                ByteVector q = QuantRowDot.bytes(w, off + 8 + 16 * sub);
                ByteVector lo = q.and((byte) 0xF).selectFrom(IQ4);
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).selectFrom(IQ4);
                int xs = xo + 32 * sub;
                FloatVector p = FloatVector.zero(F);
                p = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xs), p);
                if (VectorWidth.PARTS == 2) {
                    p = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 1)).fma(FloatVector.fromArray(F, x, xs + 8), p);
                }
                p = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xs + 16), p);
                if (VectorWidth.PARTS == 2) {
                    p = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 1)).fma(FloatVector.fromArray(F, x, xs + 16 + 8), p);
                }
                int ls = ((scalesL >>> (4 * sub)) & 0xF) | ((scalesH >>> (2 * sub)) & 3) << 4;
                sumi += (ls - 32) * QuantRowDot.intSum(p);
            }
            sum += (QuantRowDot.half(w, off) * a.scale[t * blocks + b]) * sumi;
        }
        return sum;
    }
}
