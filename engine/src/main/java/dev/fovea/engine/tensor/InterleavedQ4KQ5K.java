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
 * Q4_K and Q5_K weights repacked at load so that 16 consecutive rows share each block position, and the single-token
 * product (decoding, and batches under 16 tokens) over that layout with the rows in the vector lanes.
 *
 * <p>Record of rows 16g … 16g+15, block b: the 16 rows' d and dmin as F32 (exactly the F16 values), their eight 6-bit
 * sub-block scales and eight minimums as bytes ([sub-block][row]), then for each of the block's 32 int columns of
 * quant bytes (bytes 4c … 4c+3 of a row's 128) the 16 rows' ints side by side; Q5_K adds 8 int columns of its fifth
 * bits (the row's 32 {@code qh} bytes). {@value #RECORD_Q4} bytes for Q4_K (5.6 % more than the file's 16 × 144),
 * {@value #RECORD_Q5} for Q5_K (4.5 % more than 16 × 176).
 *
 * <p>Bits: for each row the kernel forms the same exact integers as {@link QuantRowDot}'s Q4_K/Q5_K kernel — each
 * sub-block's Σ q·x in float lanes (at most 31 · 128 · 32, exact), then Σ scale · that and Σ min · bsum in int —
 * and applies the same float expression {@code sum += (yd·d)·sumi − (yd·dmin)·summ} in block order, lane by lane,
 * so the result is bit-identical to the row kernel's and the tiled kernel's.
 */
final class InterleavedQ4KQ5K {
    static final int ROWS = KQuantRecords.ROWS;
    static final int RECORD_Q4 = 2 * 4 * ROWS + 2 * 8 * ROWS + 32 * 4 * ROWS;
    static final int RECORD_Q5 = RECORD_Q4 + 8 * 4 * ROWS;
    static final int SCALES = 2 * 4 * ROWS;
    static final int MINS = SCALES + 8 * ROWS;
    static final int QUANTS = MINS + 8 * ROWS;
    /** Q5_K's fifth bits: int column c holds each row's qh bytes 4c … 4c+3 (bit 2p, 2p+1: sub-blocks 2p, 2p+1). */
    private static final int HIGH = QUANTS + 32 * 4 * ROWS;
    private static final VectorSpecies<Float> F = VectorWidth.F;
    private static final VectorSpecies<Integer> I = VectorWidth.I;
    private static final VectorSpecies<Byte> B = VectorWidth.B;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfInt I32 = KQuantRecords.I32;
    private static final ValueLayout.OfFloat F32 = KQuantRecords.F32;

    private InterleavedQ4KQ5K() {
    }

    /**
     * The repacked copy of a Q4_K or Q5_K matrix (ggml's layout), or null when its row count is not a multiple of
     * 16.
     */
    static MemorySegment repack(MemorySegment data, GgmlType type, int rows, int cols) {
        boolean five = type == GgmlType.Q5_K;
        int qs = five ? 48 : 16;
        return KQuantRecords.repack(data, type, rows, cols, five ? RECORD_Q5 : RECORD_Q4, (block, out, dst, r) -> {
            out.set(F32, dst + 4L * r, BlockDecoder.half(block, 0));
            out.set(F32, dst + 4L * ROWS + 4L * r, BlockDecoder.half(block, 2));
            for (int j = 0; j < 8; j++) {
                out.set(ValueLayout.JAVA_BYTE, dst + SCALES + ROWS * j + r, (byte) BlockDecoder.kScale(block, 4, j));
                out.set(ValueLayout.JAVA_BYTE, dst + MINS + ROWS * j + r, (byte) BlockDecoder.kMin(block, 4, j));
            }
            for (int c = 0; c < 32; c++) {
                out.set(I32, dst + QUANTS + 4L * (ROWS * c + r), KQuantRecords.intAt(block, qs + 4 * c));
            }
            if (five) {
                for (int c = 0; c < 8; c++) {
                    out.set(I32, dst + HIGH + 4L * (ROWS * c + r), KQuantRecords.intAt(block, 16 + 4 * c));
                }
            }
        });
    }

    /**
     * out[t][r] = row r · token t of {@code a} (Q8_K activations) for every row and t in [0, n): a small batch
     * (decoding sequences together, short prompts) runs the single-token kernel once per token while a group's
     * weights are in cache.
     */
    static void products(MemorySegment il, GgmlType type, int rows, int cols, QuantizedActivations a, int n,
                         float[] out, Parallel pool) {
        int groups = rows / ROWS;
        boolean five = type == GgmlType.Q5_K;
        if (!five && ShortLaneKernels.applies()) {
            int[] xs = ShortLaneActivations.nibblePairs(a.q, 0, n, cols, 32);
            pool.forRange(groups, (from, to) -> ShortLaneKernels.q4k(il, rows, cols, xs, a.scale, a.bsum, n, out,
                    from, to));
        } else if (VectorWidth.WIDE) {
            pool.forRange(groups, (from, to) -> groups(il, five, rows, cols, a.q, a.scale, a.bsum, n, out, from, to));
        } else {
            pool.forRange(groups, (from, to) -> groupsNarrow(il, five, rows, cols, a.q, a.scale, a.bsum, n, out, from,
                    to));
        }
    }

    /**
     * {@link #groups} at 8 lanes: both 8-row parts of a group in one pass, sharing each broadcast activation; every
     * lane's arithmetic is {@link #groups}' (exact integer sums, then the same float expression), so the same bits.
     */
    private static void groupsNarrow(MemorySegment il, boolean five, int rows, int cols, float[] x, float[] yd,
                                     int[] bsum, int n, float[] out, int from, int to) {
        int blocks = cols / 256;
        int record = five ? RECORD_Q5 : RECORD_Q4;
        for (int gt = from * n; gt < to * n; gt++) {
            int g = gt / n;
            int t = gt % n;
            int ydo = t * blocks;
            int bso = t * (cols / 32);
            FloatVector sum = FloatVector.zero(F);
            FloatVector sum2 = sum;
            long rec = (long) g * blocks * record;
            for (int b = 0; b < blocks; b++, rec += record) {
                int xb = t * cols + 256 * b;
                IntVector sumi = IntVector.zero(I);
                IntVector sumi2 = sumi;
                for (int p = 0; p < 4; p++) {
                    // sub-blocks 2p (low nibbles, elements 64p + l) and 2p + 1 (high nibbles, 64p + 32 + l)
                    FloatVector lo0 = FloatVector.zero(F);
                    FloatVector lo1 = lo0;
                    FloatVector hi0 = lo0;
                    FloatVector hi1 = lo0;
                    FloatVector mo0 = lo0;
                    FloatVector mo1 = lo0;
                    FloatVector ho0 = lo0;
                    FloatVector ho1 = lo0;
                    for (int c = 0; c < 8; c++) {
                        long at = rec + QUANTS + 64L * (8 * p + c);
                        IntVector w = IntVector.fromMemorySegment(I, il, at, LE);
                        IntVector u = IntVector.fromMemorySegment(I, il, at + 32, LE);
                        // each byte of wl/wh (ul/uh) is one weight: the low or high nibble, plus Q5_K's fifth bit
                        IntVector wl = w.and(0x0F0F0F0F);
                        IntVector wh = w.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F);
                        IntVector ul = u.and(0x0F0F0F0F);
                        IntVector uh = u.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F);
                        if (five) {
                            long hb = rec + HIGH + 64L * c;
                            IntVector qw = IntVector.fromMemorySegment(I, il, hb, LE);
                            IntVector qu = IntVector.fromMemorySegment(I, il, hb + 32, LE);
                            wl = wl.or(qw.lanewise(VectorOperators.LSHR, 2 * p).and(0x01010101).lanewise(VectorOperators.LSHL, 4));
                            wh = wh.or(qw.lanewise(VectorOperators.LSHR, 2 * p + 1).and(0x01010101).lanewise(VectorOperators.LSHL, 4));
                            ul = ul.or(qu.lanewise(VectorOperators.LSHR, 2 * p).and(0x01010101).lanewise(VectorOperators.LSHL, 4));
                            uh = uh.or(qu.lanewise(VectorOperators.LSHR, 2 * p + 1).and(0x01010101).lanewise(VectorOperators.LSHL, 4));
                        }
                        int xl = xb + 64 * p + 4 * c;
                        FloatVector xv;
                        xv = FloatVector.broadcast(F, x[xl + 0]);
                        lo0 = ((FloatVector) wl.and(0xFF).convert(VectorOperators.I2F, 0)).fma(xv, lo0);
                        mo0 = ((FloatVector) ul.and(0xFF).convert(VectorOperators.I2F, 0)).fma(xv, mo0);
                        xv = FloatVector.broadcast(F, x[xl + 32]);
                        hi0 = ((FloatVector) wh.and(0xFF).convert(VectorOperators.I2F, 0)).fma(xv, hi0);
                        ho0 = ((FloatVector) uh.and(0xFF).convert(VectorOperators.I2F, 0)).fma(xv, ho0);
                        xv = FloatVector.broadcast(F, x[xl + 1]);
                        lo1 = ((FloatVector) wl.lanewise(VectorOperators.LSHR, 8).and(0xFF).convert(VectorOperators.I2F, 0)).fma(xv, lo1);
                        mo1 = ((FloatVector) ul.lanewise(VectorOperators.LSHR, 8).and(0xFF).convert(VectorOperators.I2F, 0)).fma(xv, mo1);
                        xv = FloatVector.broadcast(F, x[xl + 33]);
                        hi1 = ((FloatVector) wh.lanewise(VectorOperators.LSHR, 8).and(0xFF).convert(VectorOperators.I2F, 0)).fma(xv, hi1);
                        ho1 = ((FloatVector) uh.lanewise(VectorOperators.LSHR, 8).and(0xFF).convert(VectorOperators.I2F, 0)).fma(xv, ho1);
                        xv = FloatVector.broadcast(F, x[xl + 2]);
                        lo0 = ((FloatVector) wl.lanewise(VectorOperators.LSHR, 16).and(0xFF).convert(VectorOperators.I2F, 0)).fma(xv, lo0);
                        mo0 = ((FloatVector) ul.lanewise(VectorOperators.LSHR, 16).and(0xFF).convert(VectorOperators.I2F, 0)).fma(xv, mo0);
                        xv = FloatVector.broadcast(F, x[xl + 34]);
                        hi0 = ((FloatVector) wh.lanewise(VectorOperators.LSHR, 16).and(0xFF).convert(VectorOperators.I2F, 0)).fma(xv, hi0);
                        ho0 = ((FloatVector) uh.lanewise(VectorOperators.LSHR, 16).and(0xFF).convert(VectorOperators.I2F, 0)).fma(xv, ho0);
                        xv = FloatVector.broadcast(F, x[xl + 3]);
                        lo1 = ((FloatVector) wl.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0)).fma(xv, lo1);
                        mo1 = ((FloatVector) ul.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0)).fma(xv, mo1);
                        xv = FloatVector.broadcast(F, x[xl + 35]);
                        hi1 = ((FloatVector) wh.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0)).fma(xv, hi1);
                        ho1 = ((FloatVector) uh.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0)).fma(xv, ho1);
                    }
                    long sc = rec + SCALES + ROWS * 2L * p;
                    sumi = sumi.add(((IntVector) lo0.add(lo1).convert(VectorOperators.F2I, 0)).mul((IntVector) ByteVector
                                    .fromMemorySegment(B, il, sc, LE).convertShape(VectorOperators.B2I, I, 0)))
                            .add(((IntVector) hi0.add(hi1).convert(VectorOperators.F2I, 0)).mul((IntVector) ByteVector
                                    .fromMemorySegment(B, il, sc + ROWS, LE).convertShape(VectorOperators.B2I, I, 0)));
                    sumi2 = sumi2.add(((IntVector) mo0.add(mo1).convert(VectorOperators.F2I, 0)).mul((IntVector) ByteVector
                                    .fromMemorySegment(B, il, sc + 8, LE).convertShape(VectorOperators.B2I, I, 0)))
                            .add(((IntVector) ho0.add(ho1).convert(VectorOperators.F2I, 0)).mul((IntVector) ByteVector
                                    .fromMemorySegment(B, il, sc + ROWS + 8, LE).convertShape(VectorOperators.B2I, I, 0)));
                }
                IntVector summ = IntVector.zero(I);
                IntVector summ2 = summ;
                for (int j = 0; j < 8; j++) {
                    long mn = rec + MINS + (long) ROWS * j;
                    int bs = bsum[bso + 8 * b + j];
                    summ = summ.add(((IntVector) ByteVector.fromMemorySegment(B, il, mn, LE)
                            .convertShape(VectorOperators.B2I, I, 0)).mul(bs));
                    summ2 = summ2.add(((IntVector) ByteVector.fromMemorySegment(B, il, mn + 8, LE)
                            .convertShape(VectorOperators.B2I, I, 0)).mul(bs));
                }
                FloatVector y = FloatVector.broadcast(F, yd[ydo + b]);
                FloatVector d = FloatVector.fromMemorySegment(F, il, rec, LE);
                FloatVector dmin = FloatVector.fromMemorySegment(F, il, rec + 4L * ROWS, LE);
                sum = sum.add(y.mul(d).mul((FloatVector) sumi.convert(VectorOperators.I2F, 0))
                        .sub(y.mul(dmin).mul((FloatVector) summ.convert(VectorOperators.I2F, 0))));
                d = FloatVector.fromMemorySegment(F, il, rec + 32, LE);
                dmin = FloatVector.fromMemorySegment(F, il, rec + 4L * ROWS + 32, LE);
                sum2 = sum2.add(y.mul(d).mul((FloatVector) sumi2.convert(VectorOperators.I2F, 0))
                        .sub(y.mul(dmin).mul((FloatVector) summ2.convert(VectorOperators.I2F, 0))));
            }
            sum.intoArray(out, t * rows + ROWS * g);
            sum2.intoArray(out, t * rows + ROWS * g + 8);
        }
    }

    private static void groups(MemorySegment il, boolean five, int rows, int cols, float[] x, float[] yd, int[] bsum,
                               int n, float[] out, int from, int to) {
        int blocks = cols / 256;
        int record = five ? RECORD_Q5 : RECORD_Q4;
        // a narrow CPU runs each group's 16 rows as parts of VectorWidth.LANES rows
        for (int gpt = from * VectorWidth.PARTS * n; gpt < to * VectorWidth.PARTS * n; gpt++) {
            int gp = gpt / n;
            int t = gpt % n;
            int g = gp / VectorWidth.PARTS;
            int l0 = gp % VectorWidth.PARTS * VectorWidth.LANES;
            int ydo = t * blocks;
            int bso = t * (cols / 32);
            FloatVector sum = FloatVector.zero(F);
            long rec = (long) g * blocks * record;
            for (int b = 0; b < blocks; b++, rec += record) {
                int xb = t * cols + 256 * b;
                IntVector sumi = IntVector.zero(I);
                for (int p = 0; p < 4; p++) {
                    // sub-blocks 2p (low nibbles, elements 64p + l) and 2p + 1 (high nibbles, 64p + 32 + l)
                    FloatVector lo0 = FloatVector.zero(F);
                    FloatVector lo1 = FloatVector.zero(F);
                    FloatVector hi0 = FloatVector.zero(F);
                    FloatVector hi1 = FloatVector.zero(F);
                    for (int c = 0; c < 8; c++) {
                        IntVector w = IntVector.fromMemorySegment(I, il, rec + QUANTS + 64L * (8 * p + c) + 4 * l0, LE);
                        // each byte of wl/wh is one weight: the low or high nibble, plus Q5_K's fifth bit
                        IntVector wl = w.and(0x0F0F0F0F);
                        IntVector wh = w.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F);
                        if (five) {
                            IntVector q = IntVector.fromMemorySegment(I, il, rec + HIGH + 64L * c + 4 * l0, LE);
                            wl = wl.or(q.lanewise(VectorOperators.LSHR, 2 * p).and(0x01010101).lanewise(VectorOperators.LSHL, 4));
                            wh = wh.or(q.lanewise(VectorOperators.LSHR, 2 * p + 1).and(0x01010101).lanewise(VectorOperators.LSHL, 4));
                        }
                        int xl = xb + 64 * p + 4 * c;
                        lo0 = ((FloatVector) wl.and(0xFF).convert(VectorOperators.I2F, 0))
                                .fma(FloatVector.broadcast(F, x[xl + 0]), lo0);
                        hi0 = ((FloatVector) wh.and(0xFF).convert(VectorOperators.I2F, 0))
                                .fma(FloatVector.broadcast(F, x[xl + 32]), hi0);
                        lo1 = ((FloatVector) wl.lanewise(VectorOperators.LSHR, 8).and(0xFF).convert(VectorOperators.I2F, 0))
                                .fma(FloatVector.broadcast(F, x[xl + 1]), lo1);
                        hi1 = ((FloatVector) wh.lanewise(VectorOperators.LSHR, 8).and(0xFF).convert(VectorOperators.I2F, 0))
                                .fma(FloatVector.broadcast(F, x[xl + 33]), hi1);
                        lo0 = ((FloatVector) wl.lanewise(VectorOperators.LSHR, 16).and(0xFF).convert(VectorOperators.I2F, 0))
                                .fma(FloatVector.broadcast(F, x[xl + 2]), lo0);
                        hi0 = ((FloatVector) wh.lanewise(VectorOperators.LSHR, 16).and(0xFF).convert(VectorOperators.I2F, 0))
                                .fma(FloatVector.broadcast(F, x[xl + 34]), hi0);
                        lo1 = ((FloatVector) wl.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0))
                                .fma(FloatVector.broadcast(F, x[xl + 3]), lo1);
                        hi1 = ((FloatVector) wh.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0))
                                .fma(FloatVector.broadcast(F, x[xl + 35]), hi1);
                    }
                    IntVector sLo = (IntVector) ByteVector.fromMemorySegment(B, il, rec + SCALES + ROWS * 2L * p + l0, LE)
                            .convertShape(VectorOperators.B2I, I, 0);
                    IntVector sHi = (IntVector) ByteVector.fromMemorySegment(B, il, rec + SCALES + ROWS * (2L * p + 1) + l0, LE)
                            .convertShape(VectorOperators.B2I, I, 0);
                    sumi = sumi.add(((IntVector) lo0.add(lo1).convert(VectorOperators.F2I, 0)).mul(sLo))
                            .add(((IntVector) hi0.add(hi1).convert(VectorOperators.F2I, 0)).mul(sHi));
                }
                IntVector summ = IntVector.zero(I);
                for (int j = 0; j < 8; j++) {
                    IntVector mn = (IntVector) ByteVector.fromMemorySegment(B, il, rec + MINS + (long) ROWS * j + l0, LE)
                            .convertShape(VectorOperators.B2I, I, 0);
                    summ = summ.add(mn.mul(bsum[bso + 8 * b + j]));
                }
                FloatVector y = FloatVector.broadcast(F, yd[ydo + b]);
                FloatVector d = FloatVector.fromMemorySegment(F, il, rec + 4 * l0, LE);
                FloatVector dmin = FloatVector.fromMemorySegment(F, il, rec + 4L * ROWS + 4 * l0, LE);
                FloatVector sumiF = (FloatVector) sumi.convert(VectorOperators.I2F, 0);
                FloatVector summF = (FloatVector) summ.convert(VectorOperators.I2F, 0);
                sum = sum.add(y.mul(d).mul(sumiF).sub(y.mul(dmin).mul(summF)));
            }
            sum.intoArray(out, t * rows + ROWS * g + l0);
        }
    }
}
