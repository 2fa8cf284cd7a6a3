package dev.fovea.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-token products of interleaved 4-bit weights (Q4_0: {@link InterleavedQuants}; Q4_K:
 * {@link InterleavedQ4KQ5K}) on 256-bit CPUs, in 16-bit integer lanes (Q8_0 too: {@link #q8_0}, described there).
 * For the 4-bit types an int column of 8 rows is loaded as 16 shorts, each short's four nibbles are taken out by
 * shift and mask and multiplied by the activations of {@link ShortLaneActivations}; a row's two lanes are added when
 * its block (Q4_0) or sub-block (Q4_K) is done.
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

    /** Lanes 4–7 and 0–3 swapped. */
    private static final VectorShuffle<Integer> SWAP_HALVES = VectorShuffle.fromValues(I, 4, 5, 6, 7, 0, 1, 2, 3);
    private static final VectorMask<Integer> HIGH_HALF =
            VectorMask.fromValues(I, false, false, false, false, true, true, true, true);
    /** Rows 0–7 and 8–15 out of v (rows 0, 4, 8, 12, 1, 5, 9, 13) and, as indices 8–15, u (rows 2, 6, … 15). */
    private static final VectorShuffle<Integer> ROWS_0_7 = VectorShuffle.fromValues(I, 0, 4, 8, 12, 1, 5, 9, 13);
    private static final VectorShuffle<Integer> ROWS_8_15 = VectorShuffle.fromValues(I, 2, 6, 10, 14, 3, 7, 11, 15);

    /**
     * 16 rows of interleaved Q8_0 (records from {@code off}, {@code stride} apart) times one token, its
     * {@link ShortLaneActivations#columnPairs} in {@code xs} from {@code xso} and its block scales in {@code xd} from
     * {@code xdo}; out[o … o + 15]. {@code scratch} holds {@code 32 · Q8_BLOCKS_PER_PASS} ints.
     *
     * <p>A 32-byte load is two weight columns of 16 rows: as shorts, lane k &lt; 8 holds rows 2k and 2k + 1 of the
     * first, lane 8 + k those of the second. The low bytes (even rows) are sign-extended by a shift left and an
     * arithmetic shift right, the high bytes (odd rows) by the shift right alone, and multiplied by the lanes'
     * activations: |product| ≤ 128 · 127, so a short holds the sum of two (the next two columns'). Each int lane
     * of those sums is then split by int shifts into its two shorts (rows 4q and 4q + 2, or 4q + 1 and 4q + 3;
     * lanes q and q + 4 the load's two columns) and added to four int accumulators. After each block's 32 columns
     * they are stored, and a second pass over a few blocks at a time adds each accumulator's halves, puts the 16
     * rows in order, and scales them by the same float expressions, in the same order, as
     * {@link InterleavedMatMul}'s float-lane kernels, whose sums are the same exact integers: the same bits.
     *
     * <p>Why a second pass: with the block's epilogue (shuffles, F16 scales, two float sums) in the same loop, C2
     * kept two of the four accumulators on the stack. Why: no conversions — the float-lane kernel spends a load,
     * a widening, a conversion and an FMA per 8 weights; this one about 3.3 instructions per 8 (measured on AVX2:
     * 1.2–1.35× the weights a second on one thread with the matrix in cache, 1.1× on two threads from memory).
     */
    static void q8_0(MemorySegment m, long off, long stride, int blocks, short[] xs, int xso, float[] xd, int xdo,
                     float[] out, int o, int[] scratch) {
        for (int b0 = 0; b0 < blocks; b0 += Q8_BLOCKS_PER_PASS) {
            int b1 = Math.min(blocks, b0 + Q8_BLOCKS_PER_PASS);
            q8_0Sums(m, off + b0 * stride, stride, b1 - b0, xs, xso + 16 * 16 * b0, scratch);
            q8_0Scale(m, off + b0 * stride, stride, b0, b1, xd, xdo, out, o, scratch);
        }
    }

    /** Blocks a pass of {@link #q8_0} takes: its scratch stays a kilobyte. */
    static final int Q8_BLOCKS_PER_PASS = 8;

    /** {@link #q8_0}'s first pass: each block's four int accumulators into scratch[32 · b …]. */
    private static void q8_0Sums(MemorySegment m, long off, long stride, int blocks, short[] xs, int xso,
                                 int[] scratch) {
        long r = off;
        int p = xso;
        for (int b = 0; b < blocks; b++, r += stride, p += 16 * 16) {
            long c = r + 2 * ROWS;
            IntVector acc0 = IntVector.zero(I);
            IntVector acc1 = acc0;
            IntVector acc2 = acc0;
            IntVector acc3 = acc0;
            // four columns twice a turn, written out: with two a turn C2 kept the accumulators on the stack (read in
            // its code), with all 32 the body no longer compiled to vector code
            int q = p;
            for (int j = 0; j < 32; j += 8, c += 8 * ROWS, q += 64) {
                ShortVector w;
                ShortVector x;
                ShortVector lo;
                ShortVector hi;
                IntVector li;
                IntVector hj;
                w = ShortVector.fromMemorySegment(S16, m, c + 0 * ROWS, LE);
                x = ShortVector.fromArray(S16, xs, q + 0);
                lo = w.reinterpretAsInts().lanewise(VectorOperators.LSHL, 8).reinterpretAsShorts()
                        .lanewise(VectorOperators.ASHR, 8).mul(x);
                hi = w.lanewise(VectorOperators.ASHR, 8).mul(x);
                w = ShortVector.fromMemorySegment(S16, m, c + 2 * ROWS, LE);
                x = ShortVector.fromArray(S16, xs, q + 16);
                lo = lo.add(w.reinterpretAsInts().lanewise(VectorOperators.LSHL, 8).reinterpretAsShorts()
                        .lanewise(VectorOperators.ASHR, 8).mul(x));
                hi = hi.add(w.lanewise(VectorOperators.ASHR, 8).mul(x));
                li = lo.reinterpretAsInts();
                hj = hi.reinterpretAsInts();
                acc0 = acc0.add(li.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
                acc1 = acc1.add(li.lanewise(VectorOperators.ASHR, 16));
                acc2 = acc2.add(hj.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
                acc3 = acc3.add(hj.lanewise(VectorOperators.ASHR, 16));
                w = ShortVector.fromMemorySegment(S16, m, c + 4 * ROWS, LE);
                x = ShortVector.fromArray(S16, xs, q + 32);
                lo = w.reinterpretAsInts().lanewise(VectorOperators.LSHL, 8).reinterpretAsShorts()
                        .lanewise(VectorOperators.ASHR, 8).mul(x);
                hi = w.lanewise(VectorOperators.ASHR, 8).mul(x);
                w = ShortVector.fromMemorySegment(S16, m, c + 6 * ROWS, LE);
                x = ShortVector.fromArray(S16, xs, q + 48);
                lo = lo.add(w.reinterpretAsInts().lanewise(VectorOperators.LSHL, 8).reinterpretAsShorts()
                        .lanewise(VectorOperators.ASHR, 8).mul(x));
                hi = hi.add(w.lanewise(VectorOperators.ASHR, 8).mul(x));
                li = lo.reinterpretAsInts();
                hj = hi.reinterpretAsInts();
                acc0 = acc0.add(li.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
                acc1 = acc1.add(li.lanewise(VectorOperators.ASHR, 16));
                acc2 = acc2.add(hj.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
                acc3 = acc3.add(hj.lanewise(VectorOperators.ASHR, 16));
            }
            acc0.intoArray(scratch, 32 * b);
            acc1.intoArray(scratch, 32 * b + 8);
            acc2.intoArray(scratch, 32 * b + 16);
            acc3.intoArray(scratch, 32 * b + 24);
        }
    }

    /**
     * {@link #q8_0}'s second pass over blocks [b0, b1): the stored sums in row order, scaled and added to
     * out[o … o + 15] (zero before block 0).
     */
    private static void q8_0Scale(MemorySegment m, long off, long stride, int b0, int b1, float[] xd, int xdo,
                                  float[] out, int o, int[] scratch) {
        FloatVector sum = b0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, out, o);
        FloatVector sum2 = b0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, out, o + 8);
        long r = off;
        for (int b = b0; b < b1; b++, r += stride) {
            // acc0: rows 4q, acc1: 4q + 2, acc2: 4q + 1, acc3: 4q + 3, each in lanes q and q + 4
            int s = 32 * (b - b0);
            IntVector acc0 = IntVector.fromArray(I, scratch, s);
            IntVector acc1 = IntVector.fromArray(I, scratch, s + 8);
            IntVector acc2 = IntVector.fromArray(I, scratch, s + 16);
            IntVector acc3 = IntVector.fromArray(I, scratch, s + 24);
            IntVector v = acc0.blend(acc2.rearrange(SWAP_HALVES), HIGH_HALF)
                    .add(acc0.rearrange(SWAP_HALVES).blend(acc2, HIGH_HALF));
            IntVector u = acc1.blend(acc3.rearrange(SWAP_HALVES), HIGH_HALF)
                    .add(acc1.rearrange(SWAP_HALVES).blend(acc3, HIGH_HALF));
            FloatVector a = (FloatVector) v.rearrange(ROWS_0_7, u).convert(VectorOperators.I2F, 0);
            FloatVector e = (FloatVector) v.rearrange(ROWS_8_15, u).convert(VectorOperators.I2F, 0);
            // the 16 F16 scales as InterleavedMatMul widens them
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S8, m, r, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            FloatVector dw = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            h = (IntVector) ShortVector.fromMemorySegment(S8, m, r + 16, LE).convertShape(VectorOperators.S2I, I, 0);
            FloatVector du = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            float dx = xd[xdo + b];
            sum = sum.add(a.mul(dw.mul(dx)));
            sum2 = sum2.add(e.mul(du.mul(dx)));
        }
        sum.intoArray(out, o);
        sum2.intoArray(out, o + 8);
    }
}
