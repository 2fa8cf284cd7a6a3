package dev.fovea.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-token products of interleaved 4-bit weights (Q4_0: {@link InterleavedQuants}; Q4_K:
 * {@link InterleavedQ4KQ5K}) on 256-bit CPUs, in 16-bit integer lanes. An int column of 8 rows is loaded as 16
 * shorts, each short's four nibbles are taken out by shift and mask and multiplied by the activations of
 * {@link ShortLaneActivations}; a row's two lanes are added when its block (Q4_0) or sub-block (Q4_K) is done.
 *
 * <p>Why: on AVX2 the float-lane kernels spend a conversion and an FMA per 8 weights, and decoding is bound by those
 * instructions rather than by memory; a short multiply and add cover 16. Every sum is the same exact integer as the
 * float-lane kernels form (a lane adds at most 16 products of at most 15 · 127, below 2^15), and the scales are
 * applied by the same float expressions in the same order, so the results are bit-identical to
 * {@link QuantRowDot}'s and independent of batch size and thread count.
 *
 * <p>Shape, as C2 compiles it best (measured): the columns are written out (a rolled loop ran at half the speed) but
 * no more than fits C2's inlining budget (a Q4_K body with all 8 columns of a part written out boxed its vectors
 * and ran 100× slower), Q4_K one 8-row part at a time (its two sub-blocks' sums for both parts at once spilled vectors to the
 * stack; Q4_0, one accumulator pair a part, keeps both parts together), nibbles taken out by int shifts
 * (short shifts get no immediate form), and no helper methods taking or returning vectors (not inlined here).
 */
final class ShortLaneKernels {
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Short> S8 = ShortVector.SPECIES_128;
    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int ROWS = 16;

    private ShortLaneKernels() {
    }

    /** Whether these kernels serve this machine: they are written for 256-bit vectors. */
    static boolean applies() {
        return !VectorWidth.WIDE;
    }

    /**
     * 16 rows of interleaved Q4_0 (records from {@code off}, {@code stride} apart) times one token: its patterns in
     * {@code xs} from {@code xso}, its block scales and sums of quantized values from {@code xdo}; out[o … o + 15].
     */
    static void q4_0(MemorySegment m, long off, long stride, int blocks, int[] xs, int xso, float[] xd,
                     int[] xsum, int xdo, float[] out, int o) {
        FloatVector sum = FloatVector.zero(F);
        FloatVector sum2 = sum;
        long r = off;
        for (int b = 0; b < blocks; b++, r += stride) {
            long c = r + 2 * ROWS;
            int p = xso + 16 * b;
            // a/e: rows 0–7 / 8–15, nibble positions 0 and 2; a2/e2: positions 1 and 3 (8 products a lane each)
            IntVector v = IntVector.fromMemorySegment(I, m, c, LE);
            IntVector u = IntVector.fromMemorySegment(I, m, c + 32, LE);
            ShortVector x = IntVector.broadcast(I, xs[p]).reinterpretAsShorts();
            ShortVector a = v.and(0x000F000F).reinterpretAsShorts().mul(x);
            ShortVector e = u.and(0x000F000F).reinterpretAsShorts().mul(x);
            x = IntVector.broadcast(I, xs[p + 1]).reinterpretAsShorts();
            ShortVector a2 = v.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts().mul(x);
            ShortVector e2 = u.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts().mul(x);
            x = IntVector.broadcast(I, xs[p + 2]).reinterpretAsShorts();
            a = a.add(v.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).reinterpretAsShorts().mul(x));
            e = e.add(u.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).reinterpretAsShorts().mul(x));
            x = IntVector.broadcast(I, xs[p + 3]).reinterpretAsShorts();
            a2 = a2.add(v.lanewise(VectorOperators.LSHR, 12).and(0x000F000F).reinterpretAsShorts().mul(x));
            e2 = e2.add(u.lanewise(VectorOperators.LSHR, 12).and(0x000F000F).reinterpretAsShorts().mul(x));

            v = IntVector.fromMemorySegment(I, m, c + 64, LE);
            u = IntVector.fromMemorySegment(I, m, c + 96, LE);
            x = IntVector.broadcast(I, xs[p + 4]).reinterpretAsShorts();
            a = a.add(v.and(0x000F000F).reinterpretAsShorts().mul(x));
            e = e.add(u.and(0x000F000F).reinterpretAsShorts().mul(x));
            x = IntVector.broadcast(I, xs[p + 5]).reinterpretAsShorts();
            a2 = a2.add(v.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts().mul(x));
            e2 = e2.add(u.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts().mul(x));
            x = IntVector.broadcast(I, xs[p + 6]).reinterpretAsShorts();
            a = a.add(v.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).reinterpretAsShorts().mul(x));
            e = e.add(u.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).reinterpretAsShorts().mul(x));
            x = IntVector.broadcast(I, xs[p + 7]).reinterpretAsShorts();
            a2 = a2.add(v.lanewise(VectorOperators.LSHR, 12).and(0x000F000F).reinterpretAsShorts().mul(x));
            e2 = e2.add(u.lanewise(VectorOperators.LSHR, 12).and(0x000F000F).reinterpretAsShorts().mul(x));

            v = IntVector.fromMemorySegment(I, m, c + 128, LE);
            u = IntVector.fromMemorySegment(I, m, c + 160, LE);
            x = IntVector.broadcast(I, xs[p + 8]).reinterpretAsShorts();
            a = a.add(v.and(0x000F000F).reinterpretAsShorts().mul(x));
            e = e.add(u.and(0x000F000F).reinterpretAsShorts().mul(x));
            x = IntVector.broadcast(I, xs[p + 9]).reinterpretAsShorts();
            a2 = a2.add(v.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts().mul(x));
            e2 = e2.add(u.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts().mul(x));
            x = IntVector.broadcast(I, xs[p + 10]).reinterpretAsShorts();
            a = a.add(v.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).reinterpretAsShorts().mul(x));
            e = e.add(u.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).reinterpretAsShorts().mul(x));
            x = IntVector.broadcast(I, xs[p + 11]).reinterpretAsShorts();
            a2 = a2.add(v.lanewise(VectorOperators.LSHR, 12).and(0x000F000F).reinterpretAsShorts().mul(x));
            e2 = e2.add(u.lanewise(VectorOperators.LSHR, 12).and(0x000F000F).reinterpretAsShorts().mul(x));

            v = IntVector.fromMemorySegment(I, m, c + 192, LE);
            u = IntVector.fromMemorySegment(I, m, c + 224, LE);
            x = IntVector.broadcast(I, xs[p + 12]).reinterpretAsShorts();
            a = a.add(v.and(0x000F000F).reinterpretAsShorts().mul(x));
            e = e.add(u.and(0x000F000F).reinterpretAsShorts().mul(x));
            x = IntVector.broadcast(I, xs[p + 13]).reinterpretAsShorts();
            a2 = a2.add(v.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts().mul(x));
            e2 = e2.add(u.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts().mul(x));
            x = IntVector.broadcast(I, xs[p + 14]).reinterpretAsShorts();
            a = a.add(v.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).reinterpretAsShorts().mul(x));
            e = e.add(u.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).reinterpretAsShorts().mul(x));
            x = IntVector.broadcast(I, xs[p + 15]).reinterpretAsShorts();
            a2 = a2.add(v.lanewise(VectorOperators.LSHR, 12).and(0x000F000F).reinterpretAsShorts().mul(x));
            e2 = e2.add(u.lanewise(VectorOperators.LSHR, 12).and(0x000F000F).reinterpretAsShorts().mul(x));

            // the same exact block sums and float expression as InterleavedMatMul's Q4_0 kernels
            // (no helpers taking or returning vectors here: C2 does not inline them into a method this large, and
            // boxes the vectors instead)
            int offset = 8 * xsum[xdo + b];
            IntVector ia = a.add(a2).reinterpretAsInts();
            IntVector ie = e.add(e2).reinterpretAsInts();
            FloatVector sumi = ((FloatVector) ia.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(ia.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0)).sub(offset);
            FloatVector sumi2 = ((FloatVector) ie.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(ie.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0)).sub(offset);
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S8, m, r, LE).convertShape(VectorOperators.S2I, I, 0);
            FloatVector dw = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            h = (IntVector) ShortVector.fromMemorySegment(S8, m, r + 16, LE).convertShape(VectorOperators.S2I, I, 0);
            FloatVector du = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            float dx = xd[xdo + b];
            sum = sum.add(sumi.mul(dw.mul(dx)));
            sum2 = sum2.add(sumi2.mul(du.mul(dx)));
        }
        sum.intoArray(out, o);
        sum2.intoArray(out, o + 8);
    }

    /**
     * Row groups [from, to) of interleaved Q4_K ({@link InterleavedQ4KQ5K}) times each of n tokens: their patterns
     * in {@code xs} (chunks of 32 quant bytes), Q8_K scales {@code yd} and sums of 32 {@code bsum}. Per sub-block the
     * exact Σ q·x (16 products a lane), times its 6-bit scale, summed in int; the minimums' term and the float
     * expression {@code sum += (yd·d)·sumi − (yd·dmin)·summ} as in {@link InterleavedQ4KQ5K}'s kernels.
     */
    static void q4k(MemorySegment il, int rows, int cols, int[] xs, float[] yd, int[] bsum, int n, float[] out,
                    int from, int to) {
        int blocks = cols / 256;
        int record = InterleavedQ4KQ5K.RECORD_Q4;
        for (int gt = from * n; gt < to * n; gt++) {
            int g = gt / n;
            int t = gt % n;
            int ydo = t * blocks;
            int bso = t * (cols / 32);
            int xso = t * cols / 2;
            FloatVector sum = FloatVector.zero(F);
            FloatVector sum2 = sum;
            long rec = (long) g * blocks * record;
            for (int b = 0; b < blocks; b++, rec += record) {
                IntVector sumi = IntVector.zero(I);
                IntVector sumi2 = sumi;
                for (int p = 0; p < 4; p++) {
                    long sc = rec + InterleavedQ4KQ5K.SCALES + ROWS * 2L * p;
                    // one 8-row part at a time (rows 0–7, then 8–15 from the same cache lines): few live vectors, so
                    // nothing is spilled; sub-block 2p in lo, 2p + 1 in hi
                    for (int part = 0; part < 2; part++) {
                        long at = rec + InterleavedQ4KQ5K.QUANTS + 512L * p + 32 * part;
                        int xp = xso + 32 * (4 * b + p);
                        ShortVector lo = ShortVector.zero(S16);
                        ShortVector hi = lo;
                        IntVector w;
                        // each int lane (bytes 4c … 4c + 3 of a row) is two short lanes; an int shift and the mask
                        // 0x000F000F take the same nibble out of both (C2 gives short shifts no immediate form)
                        for (int c = 0; c < 8; c += 4, at += 256, xp += 16) {
                            w = IntVector.fromMemorySegment(I, il, at, LE);
                            lo = lo.add(w.and(0x000F000F).reinterpretAsShorts()
                                    .mul(IntVector.broadcast(I, xs[xp]).reinterpretAsShorts()));
                            hi = hi.add(w.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts()
                                    .mul(IntVector.broadcast(I, xs[xp + 1]).reinterpretAsShorts()));
                            lo = lo.add(w.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).reinterpretAsShorts()
                                    .mul(IntVector.broadcast(I, xs[xp + 2]).reinterpretAsShorts()));
                            hi = hi.add(w.lanewise(VectorOperators.LSHR, 12).and(0x000F000F).reinterpretAsShorts()
                                    .mul(IntVector.broadcast(I, xs[xp + 3]).reinterpretAsShorts()));
                            w = IntVector.fromMemorySegment(I, il, at + 64, LE);
                            lo = lo.add(w.and(0x000F000F).reinterpretAsShorts()
                                    .mul(IntVector.broadcast(I, xs[xp + 4]).reinterpretAsShorts()));
                            hi = hi.add(w.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts()
                                    .mul(IntVector.broadcast(I, xs[xp + 5]).reinterpretAsShorts()));
                            lo = lo.add(w.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).reinterpretAsShorts()
                                    .mul(IntVector.broadcast(I, xs[xp + 6]).reinterpretAsShorts()));
                            hi = hi.add(w.lanewise(VectorOperators.LSHR, 12).and(0x000F000F).reinterpretAsShorts()
                                    .mul(IntVector.broadcast(I, xs[xp + 7]).reinterpretAsShorts()));
                            w = IntVector.fromMemorySegment(I, il, at + 128, LE);
                            lo = lo.add(w.and(0x000F000F).reinterpretAsShorts()
                                    .mul(IntVector.broadcast(I, xs[xp + 8]).reinterpretAsShorts()));
                            hi = hi.add(w.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts()
                                    .mul(IntVector.broadcast(I, xs[xp + 9]).reinterpretAsShorts()));
                            lo = lo.add(w.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).reinterpretAsShorts()
                                    .mul(IntVector.broadcast(I, xs[xp + 10]).reinterpretAsShorts()));
                            hi = hi.add(w.lanewise(VectorOperators.LSHR, 12).and(0x000F000F).reinterpretAsShorts()
                                    .mul(IntVector.broadcast(I, xs[xp + 11]).reinterpretAsShorts()));
                            w = IntVector.fromMemorySegment(I, il, at + 192, LE);
                            lo = lo.add(w.and(0x000F000F).reinterpretAsShorts()
                                    .mul(IntVector.broadcast(I, xs[xp + 12]).reinterpretAsShorts()));
                            hi = hi.add(w.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts()
                                    .mul(IntVector.broadcast(I, xs[xp + 13]).reinterpretAsShorts()));
                            lo = lo.add(w.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).reinterpretAsShorts()
                                    .mul(IntVector.broadcast(I, xs[xp + 14]).reinterpretAsShorts()));
                            hi = hi.add(w.lanewise(VectorOperators.LSHR, 12).and(0x000F000F).reinterpretAsShorts()
                                    .mul(IntVector.broadcast(I, xs[xp + 15]).reinterpretAsShorts()));
                        }
                        // each row's two lanes added, times the sub-block's scale (no helper: C2 would not inline
                        // it here and would box the vectors)
                        IntVector l = lo.reinterpretAsInts();
                        IntVector h = hi.reinterpretAsInts();
                        IntVector part2 = l.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                                .add(l.lanewise(VectorOperators.ASHR, 16))
                                .mul((IntVector) ByteVector.fromMemorySegment(B8, il, sc + 8 * part, LE)
                                        .convertShape(VectorOperators.B2I, I, 0))
                                .add(h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                                        .add(h.lanewise(VectorOperators.ASHR, 16))
                                        .mul((IntVector) ByteVector.fromMemorySegment(B8, il, sc + ROWS + 8 * part, LE)
                                                .convertShape(VectorOperators.B2I, I, 0)));
                        if (part == 0) {
                            sumi = sumi.add(part2);
                        } else {
                            sumi2 = sumi2.add(part2);
                        }
                    }
                }
                IntVector summ = IntVector.zero(I);
                IntVector summ2 = summ;
                for (int j = 0; j < 8; j++) {
                    long mn = rec + InterleavedQ4KQ5K.MINS + (long) ROWS * j;
                    int bs = bsum[bso + 8 * b + j];
                    summ = summ.add(((IntVector) ByteVector.fromMemorySegment(B8, il, mn, LE)
                            .convertShape(VectorOperators.B2I, I, 0)).mul(bs));
                    summ2 = summ2.add(((IntVector) ByteVector.fromMemorySegment(B8, il, mn + 8, LE)
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
}
