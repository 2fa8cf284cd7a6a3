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
    private static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private QuantRowDot() {
    }

    /** Lanes part·{@link VectorWidth#LANES} … of the 16 bytes as floats. */
    private static FloatVector toFloat(ByteVector v, int part) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F, part);
    }

    /**
     * acc + v·x[xo … xo+16), lane by lane: the 16 byte lanes in {@link VectorWidth#PARTS} vector steps (lane i of a
     * narrow accumulator gathers values i and i + 8). Exact for the integer operands here, so the widths agree.
     */
    static FloatVector mulAdd(ByteVector v, float[] x, int xo, FloatVector acc) {
        for (int part = 0; part < VectorWidth.PARTS; part++) {
            acc = toFloat(v, part).fma(FloatVector.fromArray(F, x, xo + part * VectorWidth.LANES), acc);
        }
        return acc;
    }

    /** acc + (v·x[xo … xo+16))·scale, lane by lane, as {@link #mulAdd}. */
    static FloatVector mulScaleAdd(ByteVector v, float[] x, int xo, float scale, FloatVector acc) {
        FloatVector s = FloatVector.broadcast(F, scale);
        for (int part = 0; part < VectorWidth.PARTS; part++) {
            acc = toFloat(v, part).mul(FloatVector.fromArray(F, x, xo + part * VectorWidth.LANES)).fma(s, acc);
        }
        return acc;
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

    static float q8_0(MemorySegment w, long off, int cols, float[] x, int xo, float[] xd, int xdo) {
        float sum = 0;
        for (int b = 0; b < cols / 32; b++, off += 34, xo += 32) {
            float dw = half(w, off);
            FloatVector p = mulAdd(bytes(w, off + 2), x, xo, FloatVector.zero(F));
            p = mulAdd(bytes(w, off + 18), x, xo + 16, p);
            float sumi = exactSum(p);
            sum += sumi * (dw * xd[xdo + b]);
        }
        return sum;
    }

    static float q4_0(MemorySegment w, long off, int cols, float[] x, int xo, float[] xd, int xdo) {
        float sum = 0;
        for (int b = 0; b < cols / 32; b++, off += 18, xo += 32) {
            float dw = half(w, off);
            ByteVector q = bytes(w, off + 2);
            FloatVector p = mulAdd(q.and((byte) 0xF).sub((byte) 8), x, xo, FloatVector.zero(F));
            p = mulAdd(q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8), x, xo + 16, p);
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
            ByteVector qh0 = five ? bytes(w, off + 16) : null;
            ByteVector qh1 = five ? bytes(w, off + 32) : null;
            FloatVector acc = FloatVector.zero(F);
            for (int g = 0; g < 4; g++) {
                ByteVector q0 = bytes(w, qs + 32 * g);
                ByteVector q1 = bytes(w, qs + 32 * g + 16);
                ByteVector lo0 = q0.and((byte) 0xF);
                ByteVector lo1 = q1.and((byte) 0xF);
                ByteVector hi0 = q0.lanewise(VectorOperators.LSHR, 4);
                ByteVector hi1 = q1.lanewise(VectorOperators.LSHR, 4);
                if (five) {
                    lo0 = lo0.add(highBit(qh0, 2 * g));
                    lo1 = lo1.add(highBit(qh1, 2 * g));
                    hi0 = hi0.add(highBit(qh0, 2 * g + 1));
                    hi1 = hi1.add(highBit(qh1, 2 * g + 1));
                }
                int xg = xo + 64 * g;
                FloatVector pLo = mulAdd(lo1, x, xg + 16, mulAdd(lo0, x, xg, FloatVector.zero(F)));
                FloatVector pHi = mulAdd(hi1, x, xg + 48, mulAdd(hi0, x, xg + 32, FloatVector.zero(F)));
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

    /** 16 where bit {@code bit} of the byte is set, else 0. */
    private static ByteVector highBit(ByteVector qh, int bit) {
        return qh.lanewise(VectorOperators.LSHR, bit).and((byte) 1).lanewise(VectorOperators.LSHL, 4);
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
                for (int c = 0; c < 2; c++) {
                    ByteVector a = bytes(w, ql + 16 * c);
                    ByteVector bq = bytes(w, ql + 32 + 16 * c);
                    ByteVector hb = bytes(w, qh + 16 * c);
                    ByteVector q1 = a.and((byte) 0xF).or(hb.and((byte) 3).lanewise(VectorOperators.LSHL, 4));
                    ByteVector q2 = bq.and((byte) 0xF).or(hb.lanewise(VectorOperators.LSHR, 2).and((byte) 3)
                            .lanewise(VectorOperators.LSHL, 4));
                    ByteVector q3 = a.lanewise(VectorOperators.LSHR, 4).or(hb.lanewise(VectorOperators.LSHR, 4)
                            .and((byte) 3).lanewise(VectorOperators.LSHL, 4));
                    ByteVector q4 = bq.lanewise(VectorOperators.LSHR, 4).or(hb.lanewise(VectorOperators.LSHR, 6)
                            .lanewise(VectorOperators.LSHL, 4));
                    int xc = xh + 16 * c;
                    acc = mulScaleAdd(q1.sub((byte) 32), x, xc, w.get(ValueLayout.JAVA_BYTE, sc + c), acc);
                    acc = mulScaleAdd(q2.sub((byte) 32), x, xc + 32, w.get(ValueLayout.JAVA_BYTE, sc + c + 2), acc);
                    acc = mulScaleAdd(q3.sub((byte) 32), x, xc + 64, w.get(ValueLayout.JAVA_BYTE, sc + c + 4), acc);
                    acc = mulScaleAdd(q4.sub((byte) 32), x, xc + 96, w.get(ValueLayout.JAVA_BYTE, sc + c + 6), acc);
                }
                sumi += intSum(acc);
            }
            sum += (yds[ydo + b] * d) * sumi;
        }
        return sum;
    }
}
