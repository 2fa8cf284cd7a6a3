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
 * One quantized weight row times one quantized activation row, streaming the row's bytes straight from the
 * (memory-mapped) segment: the mat-vec kernel.
 *
 * <p>Every block (Q8_0/Q4_0) or super-block (K-quants) sum of integer products is formed exactly (float lanes
 * holding integers below 2^24), so the result equals what the tiled mat-mul computes for the same row and
 * token: the float steps after the exact sums are the same expressions in the same order
 * ({@code sum += sumi·(dw·dx)} per block; {@code sum += (yd·d)·sumi − (yd·dmin)·summ} per super-block).
 */
final class QuantRowDot {
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Float> F = VectorWidth.F;
    private static final VectorSpecies<Byte> B = VectorWidth.B;
    private static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private QuantRowDot() {
    }

    static ByteVector bytes(MemorySegment w, long off) {
        return ByteVector.fromMemorySegment(B16, w, off, LE);
    }

    static float half(MemorySegment w, long off) {
        return Float.float16ToFloat(w.get(S16, off));
    }

    /** Exact lane sum of integer-valued floats whose total stays below 2^24 in magnitude. */
    private static float exactSum(FloatVector v) {
        return v.reduceLanes(VectorOperators.ADD);
    }

    static int intSum(FloatVector v) {
        return ((IntVector) v.convert(VectorOperators.F2I, 0)).reduceLanes(VectorOperators.ADD);
    }

    static float dot(GgmlType type, MemorySegment w, long off, int cols, QuantizedActivations a, int t) {
        return switch (type) {
            case Q8_0 -> q8_0(w, off, cols, a.q, t * cols, a.scale, t * (cols / 32));
            case Q4_0 -> q4_0(w, off, cols, a.q, t * cols, a.scale, t * (cols / 32));
            case Q4_K -> q4_K(w, off, cols, a, t);
            case Q5_K -> q5_K(w, off, cols, a, t);
            case Q6_K -> q6_K(w, off, cols, a.q, t * cols, a.scale, t * (cols / 256));
            case Q4_1, Q5_0, Q5_1, IQ4_NL, Q2_K, Q3_K, IQ4_XS -> LowBitRowDot.dot(type, w, off, cols, a, t);
            default -> throw new IllegalArgumentException("not a quantized type: " + type);
        };
    }

    /*
     * The kernels below load VectorWidth.LANES bytes at a time (B), so that every conversion is of part 0 and the
     * byte offsets alone walk the 16-lane steps; they call no helper with vector arguments (C2 may not inline it,
     * and a vector crossing a call is boxed).
     */

    static float q8_0(MemorySegment w, long off, int cols, float[] x, int xo, float[] xd, int xdo) {
        float sum = 0;
        for (int b = 0; b < cols / 32; b++, off += 34, xo += 32) {
            float dw = half(w, off);
            FloatVector p = FloatVector.zero(F);
            for (int j = 0; j < 32; j += VectorWidth.LANES) {
                p = ((FloatVector) ByteVector.fromMemorySegment(B, w, off + 2 + j, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xo + j), p);
            }
            float sumi = exactSum(p);
            sum += sumi * (dw * xd[xdo + b]);
        }
        return sum;
    }

    static float q4_0(MemorySegment w, long off, int cols, float[] x, int xo, float[] xd, int xdo) {
        float sum = 0;
        for (int b = 0; b < cols / 32; b++, off += 18, xo += 32) {
            float dw = half(w, off);
            FloatVector p = FloatVector.zero(F);
            for (int j = 0; j < 16; j += VectorWidth.LANES) {
                ByteVector q = ByteVector.fromMemorySegment(B, w, off + 2 + j, LE);
                p = ((FloatVector) q.and((byte) 0xF).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0))
                        .fma(FloatVector.fromArray(F, x, xo + j), p);
                p = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xo + 16 + j), p);
            }
            float sumi = exactSum(p);
            sum += sumi * (dw * xd[xdo + b]);
        }
        return sum;
    }

    private static int[] scalesAndMins(MemorySegment w, long s, int[] out) {
        for (int j = 0; j < 8; j++) {
            int a = j < 4 ? u(w, s + j) & 63 : (u(w, s + j + 4) & 0xF) | ((u(w, s + j - 4) >> 6) << 4);
            int m = j < 4 ? u(w, s + j + 4) & 63 : (u(w, s + j + 4) >> 4) | ((u(w, s + j) >> 6) << 4);
            out[j] = a;
            out[8 + j] = m;
        }
        return out;
    }

    static int u(MemorySegment w, long off) {
        return w.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    static float q4_K(MemorySegment w, long off, int cols, QuantizedActivations a, int t) {
        return q4or5_K(false, w, off, cols, a.q, t * cols, a.scale, t * (cols / 256), a.bsum, t * (cols / 32));
    }

    static float q5_K(MemorySegment w, long off, int cols, QuantizedActivations a, int t) {
        return q4or5_K(true, w, off, cols, a.q, t * cols, a.scale, t * (cols / 256), a.bsum, t * (cols / 32));
    }

    private static float q4or5_K(boolean five, MemorySegment w, long off, int cols, float[] x, int xo,
                                 float[] yds, int ydo, int[] bsum, int bso) {
        int[] sm = new int[16];
        int blockBytes = five ? 176 : 144;
        float sum = 0;
        for (int b = 0; b < cols / 256; b++, off += blockBytes, xo += 256) {
            float d = half(w, off);
            float dmin = half(w, off + 2);
            scalesAndMins(w, off + 4, sm);
            long qs = off + (five ? 48 : 16);
            FloatVector acc = FloatVector.zero(F);
            for (int g = 0; g < 4; g++) {
                // sub-blocks 2g (low nibbles, elements 64g + l) and 2g + 1 (high nibbles, 64g + 32 + l)
                int xg = xo + 64 * g;
                FloatVector pLo = FloatVector.zero(F);
                FloatVector pHi = FloatVector.zero(F);
                for (int l = 0; l < 32; l += VectorWidth.LANES) {
                    ByteVector q = ByteVector.fromMemorySegment(B, w, qs + 32 * g + l, LE);
                    ByteVector lo = q.and((byte) 0xF);
                    ByteVector hi = q.lanewise(VectorOperators.LSHR, 4);
                    if (five) {
                        // the fifth bits: 16 where bit 2g (2g + 1) of qh[l] is set
                        ByteVector qh = ByteVector.fromMemorySegment(B, w, off + 16 + l, LE);
                        lo = lo.add(qh.lanewise(VectorOperators.LSHR, 2 * g).and((byte) 1)
                                .lanewise(VectorOperators.LSHL, 4));
                        hi = hi.add(qh.lanewise(VectorOperators.LSHR, 2 * g + 1).and((byte) 1)
                                .lanewise(VectorOperators.LSHL, 4));
                    }
                    pLo = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0))
                            .fma(FloatVector.fromArray(F, x, xg + l), pLo);
                    pHi = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0))
                            .fma(FloatVector.fromArray(F, x, xg + 32 + l), pHi);
                }
                acc = pLo.fma(FloatVector.broadcast(F, sm[2 * g]), acc);
                acc = pHi.fma(FloatVector.broadcast(F, sm[2 * g + 1]), acc);
            }
            int sumi = intSum(acc);
            int summ = 0;
            for (int j = 0; j < 8; j++) {
                summ += sm[8 + j] * bsum[bso + 8 * b + j];
            }
            float yd = yds[ydo + b];
            sum += (yd * d) * sumi - (yd * dmin) * summ;
        }
        return sum;
    }

    static float q6_K(MemorySegment w, long off, int cols, float[] x, int xo, float[] yds, int ydo) {
        float sum = 0;
        for (int b = 0; b < cols / 256; b++, off += 210, xo += 256) {
            float d = half(w, off + 208);
            int sumi = 0;
            for (int h = 0; h < 2; h++) {
                // one accumulator per half: a narrow lane gathers twice the products, whose sum must stay exact
                FloatVector acc = FloatVector.zero(F);
                long ql = off + 64 * h;
                long qh = off + 128 + 32 * h;
                long sc = off + 192 + 8 * h;
                int xh = xo + 128 * h;
                for (int l = 0; l < 32; l += VectorWidth.LANES) {
                    // elements 128h + 32k + l of the four quarters k; sub-block scale 2k + l / 16
                    ByteVector a = ByteVector.fromMemorySegment(B, w, ql + l, LE);
                    ByteVector bq = ByteVector.fromMemorySegment(B, w, ql + 32 + l, LE);
                    ByteVector hb = ByteVector.fromMemorySegment(B, w, qh + l, LE);
                    ByteVector q1 = a.and((byte) 0xF).or(hb.and((byte) 3).lanewise(VectorOperators.LSHL, 4));
                    ByteVector q2 = bq.and((byte) 0xF).or(hb.lanewise(VectorOperators.LSHR, 2).and((byte) 3)
                            .lanewise(VectorOperators.LSHL, 4));
                    ByteVector q3 = a.lanewise(VectorOperators.LSHR, 4).or(hb.lanewise(VectorOperators.LSHR, 4)
                            .and((byte) 3).lanewise(VectorOperators.LSHL, 4));
                    ByteVector q4 = bq.lanewise(VectorOperators.LSHR, 4).or(hb.lanewise(VectorOperators.LSHR, 6)
                            .lanewise(VectorOperators.LSHL, 4));
                    int xl = xh + l;
                    long s = sc + (l >> 4);
                    acc = ((FloatVector) q1.sub((byte) 32).convertShape(VectorOperators.B2F, F, 0))
                            .mul(FloatVector.fromArray(F, x, xl))
                            .fma(FloatVector.broadcast(F, w.get(ValueLayout.JAVA_BYTE, s)), acc);
                    acc = ((FloatVector) q2.sub((byte) 32).convertShape(VectorOperators.B2F, F, 0))
                            .mul(FloatVector.fromArray(F, x, xl + 32))
                            .fma(FloatVector.broadcast(F, w.get(ValueLayout.JAVA_BYTE, s + 2)), acc);
                    acc = ((FloatVector) q3.sub((byte) 32).convertShape(VectorOperators.B2F, F, 0))
                            .mul(FloatVector.fromArray(F, x, xl + 64))
                            .fma(FloatVector.broadcast(F, w.get(ValueLayout.JAVA_BYTE, s + 4)), acc);
                    acc = ((FloatVector) q4.sub((byte) 32).convertShape(VectorOperators.B2F, F, 0))
                            .mul(FloatVector.fromArray(F, x, xl + 96))
                            .fma(FloatVector.broadcast(F, w.get(ValueLayout.JAVA_BYTE, s + 6)), acc);
                }
                sumi += intSum(acc);
            }
            sum += (yds[ydo + b] * d) * sumi;
        }
        return sum;
    }
}
