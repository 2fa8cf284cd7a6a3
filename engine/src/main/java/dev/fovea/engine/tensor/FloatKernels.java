package dev.fovea.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * F32 / F16 / BF16 weights times F32 activations.
 *
 * <p>Every output is one 16-lane accumulator fed by FMAs over k in steps of 16, in order, then summed across
 * lanes by a fixed tree ({@link #sumLanes}) and finished with the k tail in scalar order. The mat-vec path
 * and the register-blocked mat-mul path (4 rows × 4 tokens of accumulators over a panel of rows converted to
 * float once) perform exactly that sequence per output, so they agree bit for bit.
 */
final class FloatKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final int LANES = 16;
    /**
     * Whether the CPU has 512-bit vectors. Without them (AVX2) a 512-bit species runs as slow Java code, so each
     * 16-lane accumulator is kept as two 8-lane halves instead: the same FMAs per lane, and the lane sum's first
     * level (lane i + lane i+8) is the sum of the halves, so the results have the same bits.
     */
    static final boolean WIDE = VectorWidth.WIDE;
    private static final VectorSpecies<Float> H = FloatVector.SPECIES_256;
    private static final VectorShuffle<Float> H_SWAP4 = VectorShuffle.fromOp(H, i -> i ^ 4);
    private static final VectorShuffle<Float> H_SWAP2 = VectorShuffle.fromOp(H, i -> i ^ 2);
    private static final VectorShuffle<Float> H_SWAP1 = VectorShuffle.fromOp(H, i -> i ^ 1);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VectorShuffle<Float> SWAP8 = VectorShuffle.fromOp(F, i -> i ^ 8);
    private static final VectorShuffle<Float> SWAP4 = VectorShuffle.fromOp(F, i -> i ^ 4);
    private static final VectorShuffle<Float> SWAP2 = VectorShuffle.fromOp(F, i -> i ^ 2);
    private static final VectorShuffle<Float> SWAP1 = VectorShuffle.fromOp(F, i -> i ^ 1);
    private static final VectorMask<Float> HALF8 = VectorMask.fromLong(F, 0xFF00L);
    private static final VectorMask<Float> HALF4 = VectorMask.fromLong(F, 0xF0F0L);
    private static final VectorMask<Float> HALF2 = VectorMask.fromLong(F, 0xCCCCL);
    private static final VectorMask<Float> HALF1 = VectorMask.fromLong(F, 0xAAAAL);
    /**
     * Converted weights per panel (256 KB): the panel stays in L2 next to the token rows while every token block
     * passes over it (1 MB panels measured 10-20% slower).
     */
    private static final int PANEL_FLOATS = 1 << 16;
    /** Panels per thread at least (when rows allow), so that the threads can even out their shares. */
    private static final int PANELS_PER_THREAD = 8;

    private FloatKernels() {
    }

    /** Lane sum in a fixed order (not {@code reduceLanes}, whose float order is unspecified). */
    static float sumLanes(FloatVector v) {
        v = v.add(v.rearrange(SWAP8));
        v = v.add(v.rearrange(SWAP4));
        v = v.add(v.rearrange(SWAP2));
        v = v.add(v.rearrange(SWAP1));
        return v.lane(0);
    }

    /** {@link #sumLanes} of the 16-lane vector whose lanes 0–7 are {@code lo} and 8–15 are {@code hi}. */
    private static float sumHalves(FloatVector lo, FloatVector hi) {
        FloatVector v = lo.add(hi);
        v = v.add(v.rearrange(H_SWAP4));
        v = v.add(v.rearrange(H_SWAP2));
        v = v.add(v.rearrange(H_SWAP1));
        return v.lane(0);
    }

    /** Converts {@code count} values of one row starting at byte {@code off} into dst[o…]. */
    static void toFloat(GgmlType type, MemorySegment seg, long off, int count, float[] dst, int o, short[] tmp) {
        switch (type) {
            case F32 -> MemorySegment.copy(seg, F32, off, dst, o, count);
            case F16 -> {
                MemorySegment.copy(seg, S16, off, tmp, 0, count);
                for (int i = 0; i < count; i++) {
                    dst[o + i] = Float.float16ToFloat(tmp[i]);
                }
            }
            case BF16 -> {
                MemorySegment.copy(seg, S16, off, tmp, 0, count);
                for (int i = 0; i < count; i++) {
                    dst[o + i] = Float.intBitsToFloat(tmp[i] << 16);
                }
            }
            default -> throw new IllegalArgumentException("not a float type: " + type);
        }
    }

    /** w[wo…]·x[xo…] over {@code cols} values. */
    static float dot(float[] w, int wo, float[] x, int xo, int cols) {
        return WIDE ? dot16(w, wo, x, xo, cols) : dotHalves(w, wo, x, xo, cols);
    }

    /** {@link #dot} with the 16-lane accumulator as two 8-lane halves (same bits). */
    static float dotHalves(float[] w, int wo, float[] x, int xo, int cols) {
        FloatVector lo = FloatVector.zero(H);
        FloatVector hi = lo;
        int k = 0;
        for (; k + LANES <= cols; k += LANES) {
            lo = FloatVector.fromArray(H, w, wo + k).fma(FloatVector.fromArray(H, x, xo + k), lo);
            hi = FloatVector.fromArray(H, w, wo + k + 8).fma(FloatVector.fromArray(H, x, xo + k + 8), hi);
        }
        return tail(sumHalves(lo, hi), w, wo, x, xo, k, cols);
    }

    /** {@link #dot} with one 16-lane accumulator. */
    static float dot16(float[] w, int wo, float[] x, int xo, int cols) {
        FloatVector acc = FloatVector.zero(F);
        int k = 0;
        for (; k + LANES <= cols; k += LANES) {
            acc = FloatVector.fromArray(F, w, wo + k).fma(FloatVector.fromArray(F, x, xo + k), acc);
        }
        return tail(sumLanes(acc), w, wo, x, xo, k, cols);
    }

    private static float tail(float s, float[] w, int wo, float[] x, int xo, int k, int cols) {
        for (; k < cols; k++) {
            s += w[wo + k] * x[xo + k];
        }
        return s;
    }

    /** out[r] = row r · x for rows [from, to). */
    static void matVec(GgmlType type, MemorySegment seg, int cols, float[] x, float[] out, int from, int to) {
        long rowBytes = type.byteSize(cols);
        if (type == GgmlType.F32 && WIDE) {
            float[] row = null;
            for (int r = from; r < to; r++) {
                long off = r * rowBytes;
                FloatVector acc = FloatVector.zero(F);
                int k = 0;
                for (; k + LANES <= cols; k += LANES) {
                    acc = FloatVector.fromMemorySegment(F, seg, off + 4L * k, ByteOrder.LITTLE_ENDIAN)
                            .fma(FloatVector.fromArray(F, x, k), acc);
                }
                float s = sumLanes(acc);
                if (k < cols) {
                    if (row == null) {
                        row = new float[cols];
                    }
                    MemorySegment.copy(seg, F32, off, row, 0, cols);
                    s = tail(s, row, 0, x, 0, k, cols);
                }
                out[r] = s;
            }
            return;
        }
        float[] row = new float[cols];
        short[] tmp = new short[cols];
        for (int r = from; r < to; r++) {
            toFloat(type, seg, r * rowBytes, cols, row, 0, tmp);
            out[r] = dot(row, 0, x, 0, cols);
        }
    }

    /**
     * out[t][r] = row r · x[t] for all rows, in panels that the pool's threads take one at a time: on a busy
     * machine a thread that runs late takes fewer panels instead of holding up the others. Which thread makes an
     * output does not change how it is made.
     */
    static void matMul(GgmlType type, MemorySegment seg, int rows, int cols, float[] x, int n, float[] out,
                       Parallel pool) {
        int perTask = (rows + pool.threads() * PANELS_PER_THREAD - 1) / (pool.threads() * PANELS_PER_THREAD);
        int panelRows = Math.max(4, Math.min(PANEL_FLOATS / cols / 4 * 4, (perTask + 3) / 4 * 4));
        int panels = (rows + panelRows - 1) / panelRows;
        long rowBytes = type.byteSize(cols);
        AtomicInteger next = new AtomicInteger();
        pool.forRange(Math.min(pool.threads(), panels), (from, to) -> {
            float[] w = new float[panelRows * cols];
            short[] tmp = new short[cols];
            float[] sums = new float[32 * LANES];
            for (int p = next.getAndIncrement(); p < panels; p = next.getAndIncrement()) {
                int row0 = p * panelRows;
                int count = Math.min(panelRows, rows - row0);
                for (int r = 0; r < count; r++) {
                    toFloat(type, seg, (row0 + r) * rowBytes, cols, w, r * cols, tmp);
                }
                Arrays.fill(w, count * cols, w.length, 0f);
                panel(w, count, row0, rows, cols, x, n, out, sums);
            }
        });
    }

    private static void panel(float[] w, int count, int row0, int rows, int cols, float[] x, int n, float[] out,
                              float[] sums) {
        int t = 0;
        if (!WIDE) {
            // 8-lane machines: 2 × 2 tiles of split accumulators (a 4 × 4 tile would need 32 registers), the rest
            // one dot at a time; every output is dotHalves' sequence, so the same bits
            int rEnd = count & -2;
            for (; t + 2 <= n; t += 2) {
                for (int r = 0; r < rEnd; r += 2) {
                    tile2x2Halves(w, r, cols, x, t, out, t * rows + row0 + r, rows);
                }
                for (int r = rEnd; r < count; r++) {
                    out[t * rows + row0 + r] = dotHalves(w, r * cols, x, t * cols, cols);
                    out[(t + 1) * rows + row0 + r] = dotHalves(w, r * cols, x, (t + 1) * cols, cols);
                }
            }
            for (; t < n; t++) {
                for (int r = 0; r < count; r++) {
                    out[t * rows + row0 + r] = dotHalves(w, r * cols, x, t * cols, cols);
                }
            }
            return;
        }
        for (; t + 4 <= n; t += 4) {
            for (int r = 0; r < count; r += 4) {
                tile4x4(w, r, cols, x, t, sums);
                sumLanes16(sums, 16 * LANES, sums, 0);
                finish(sums, w, r, count, row0, rows, cols, x, t, out);
            }
        }
        for (; t < n; t++) {
            for (int r = 0; r < count; r++) {
                out[t * rows + row0 + r] = dot(w, r * cols, x, t * cols, cols);
            }
        }
    }

    /**
     * Rows r, r+1 of the panel × tokens t, t+1 at 8 lanes: each output's 16-lane accumulator as two halves, fed the
     * same FMAs in the same k order as {@link #dotHalves}, then the same lane sum and tail; written to
     * out[o + i + j·stride] for row r + i and token t + j.
     */
    private static void tile2x2Halves(float[] w, int r, int cols, float[] x, int t, float[] out, int o, int stride) {
        int w0 = r * cols;
        int w1 = w0 + cols;
        int x0 = t * cols;
        int x1 = x0 + cols;
        FloatVector l00 = FloatVector.zero(H), h00 = l00, l01 = l00, h01 = l00;
        FloatVector l10 = l00, h10 = l00, l11 = l00, h11 = l00;
        int kEnd = cols & -LANES;
        for (int k = 0; k < kEnd; k += LANES) {
            FloatVector a0 = FloatVector.fromArray(H, w, w0 + k);
            FloatVector b0 = FloatVector.fromArray(H, w, w0 + k + 8);
            FloatVector a1 = FloatVector.fromArray(H, w, w1 + k);
            FloatVector b1 = FloatVector.fromArray(H, w, w1 + k + 8);
            FloatVector u = FloatVector.fromArray(H, x, x0 + k);
            FloatVector v = FloatVector.fromArray(H, x, x0 + k + 8);
            l00 = a0.fma(u, l00);
            h00 = b0.fma(v, h00);
            l10 = a1.fma(u, l10);
            h10 = b1.fma(v, h10);
            u = FloatVector.fromArray(H, x, x1 + k);
            v = FloatVector.fromArray(H, x, x1 + k + 8);
            l01 = a0.fma(u, l01);
            h01 = b0.fma(v, h01);
            l11 = a1.fma(u, l11);
            h11 = b1.fma(v, h11);
        }
        out[o] = tail(sumHalves(l00, h00), w, w0, x, x0, kEnd, cols);
        out[o + 1] = tail(sumHalves(l10, h10), w, w1, x, x0, kEnd, cols);
        out[o + stride] = tail(sumHalves(l01, h01), w, w0, x, x1, kEnd, cols);
        out[o + stride + 1] = tail(sumHalves(l11, h11), w, w1, x, x1, kEnd, cols);
    }

    /** Rows r…r+3 of the panel × tokens t…t+3: the 16 accumulators, parked in sums[256…512). */
    private static void tile4x4(float[] w, int r, int cols, float[] x, int t, float[] sums) {
        int w0 = r * cols;
        int w1 = w0 + cols;
        int w2 = w1 + cols;
        int w3 = w2 + cols;
        int x0 = t * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        // a bound computed once (not k + LANES <= cols) lets C2 hoist the loads' range checks: ~30% faster
        int kEnd = cols & -LANES;
        for (int k = 0; k < kEnd; k += LANES) {
            FloatVector v0 = FloatVector.fromArray(F, w, w0 + k);
            FloatVector v1 = FloatVector.fromArray(F, w, w1 + k);
            FloatVector v2 = FloatVector.fromArray(F, w, w2 + k);
            FloatVector v3 = FloatVector.fromArray(F, w, w3 + k);
            FloatVector u = FloatVector.fromArray(F, x, x0 + k);
            a00 = v0.fma(u, a00);
            a10 = v1.fma(u, a10);
            a20 = v2.fma(u, a20);
            a30 = v3.fma(u, a30);
            u = FloatVector.fromArray(F, x, x1 + k);
            a01 = v0.fma(u, a01);
            a11 = v1.fma(u, a11);
            a21 = v2.fma(u, a21);
            a31 = v3.fma(u, a31);
            u = FloatVector.fromArray(F, x, x2 + k);
            a02 = v0.fma(u, a02);
            a12 = v1.fma(u, a12);
            a22 = v2.fma(u, a22);
            a32 = v3.fma(u, a32);
            u = FloatVector.fromArray(F, x, x3 + k);
            a03 = v0.fma(u, a03);
            a13 = v1.fma(u, a13);
            a23 = v2.fma(u, a23);
            a33 = v3.fma(u, a33);
        }
        // parked in bit-reversed order, so that sumLanes16 puts the sum for (row r + i, token t + j) at 4i + j;
        // the lane sums and stores are separate methods: inlined here they made C2's code for the loop slower
        a00.intoArray(sums, 16 * LANES);
        a20.intoArray(sums, 17 * LANES);
        a10.intoArray(sums, 18 * LANES);
        a30.intoArray(sums, 19 * LANES);
        a02.intoArray(sums, 20 * LANES);
        a22.intoArray(sums, 21 * LANES);
        a12.intoArray(sums, 22 * LANES);
        a32.intoArray(sums, 23 * LANES);
        a01.intoArray(sums, 24 * LANES);
        a21.intoArray(sums, 25 * LANES);
        a11.intoArray(sums, 26 * LANES);
        a31.intoArray(sums, 27 * LANES);
        a03.intoArray(sums, 28 * LANES);
        a23.intoArray(sums, 29 * LANES);
        a13.intoArray(sums, 30 * LANES);
        a33.intoArray(sums, 31 * LANES);
    }

    /** Outputs (row r+i, token t+j) of a tile from its lane sums: k tail, store (rows past count are padding). */
    private static void finish(float[] sums, float[] w, int r, int count, int row0, int rows, int cols, float[] x,
                               int t, float[] out) {
        int k = cols / LANES * LANES;
        int live = Math.min(4, count - r);
        if (k == cols) {
            // no k tail (the usual widths): plain stores
            for (int j = 0; j < 4; j++) {
                int o = (t + j) * rows + row0 + r;
                for (int i = 0; i < live; i++) {
                    out[o + i] = sums[4 * i + j];
                }
            }
            return;
        }
        for (int i = 0; i < live; i++) {
            for (int j = 0; j < 4; j++) {
                out[(t + j) * rows + row0 + r + i] = tail(sums[4 * i + j], w, (r + i) * cols, x, (t + j) * cols, k, cols);
            }
        }
    }

    /**
     * The lane sums of the 16 vectors m[mo + 16p …] (p = 0…15) at once, into dst[d…d+16): dst[d + L] is
     * {@code sumLanes} of vector p = rev(L), rev reversing the 4 bits of L. Level by level it adds the same lane
     * pairs as {@code sumLanes} (distance 8, 4, 2, 1), for two vectors per instruction (blends gather their
     * halves), so each sum is the same tree of additions and has the same bits (a + b = b + a exactly).
     */
    static void sumLanes16(float[] m, int mo, float[] dst, int d) {
        // no helper methods: one that C2 declines to inline would box every vector passed to it
        FloatVector m0 = FloatVector.fromArray(F, m, mo + 0 * LANES);
        FloatVector m1 = FloatVector.fromArray(F, m, mo + 1 * LANES);
        FloatVector m2 = FloatVector.fromArray(F, m, mo + 2 * LANES);
        FloatVector m3 = FloatVector.fromArray(F, m, mo + 3 * LANES);
        FloatVector m4 = FloatVector.fromArray(F, m, mo + 4 * LANES);
        FloatVector m5 = FloatVector.fromArray(F, m, mo + 5 * LANES);
        FloatVector m6 = FloatVector.fromArray(F, m, mo + 6 * LANES);
        FloatVector m7 = FloatVector.fromArray(F, m, mo + 7 * LANES);
        FloatVector m8 = FloatVector.fromArray(F, m, mo + 8 * LANES);
        FloatVector m9 = FloatVector.fromArray(F, m, mo + 9 * LANES);
        FloatVector m10 = FloatVector.fromArray(F, m, mo + 10 * LANES);
        FloatVector m11 = FloatVector.fromArray(F, m, mo + 11 * LANES);
        FloatVector m12 = FloatVector.fromArray(F, m, mo + 12 * LANES);
        FloatVector m13 = FloatVector.fromArray(F, m, mo + 13 * LANES);
        FloatVector m14 = FloatVector.fromArray(F, m, mo + 14 * LANES);
        FloatVector m15 = FloatVector.fromArray(F, m, mo + 15 * LANES);
        FloatVector c0 = m0.blend(m1, HALF8).add(m1.blend(m0, HALF8).rearrange(SWAP8));
        FloatVector c1 = m2.blend(m3, HALF8).add(m3.blend(m2, HALF8).rearrange(SWAP8));
        FloatVector c2 = m4.blend(m5, HALF8).add(m5.blend(m4, HALF8).rearrange(SWAP8));
        FloatVector c3 = m6.blend(m7, HALF8).add(m7.blend(m6, HALF8).rearrange(SWAP8));
        FloatVector c4 = m8.blend(m9, HALF8).add(m9.blend(m8, HALF8).rearrange(SWAP8));
        FloatVector c5 = m10.blend(m11, HALF8).add(m11.blend(m10, HALF8).rearrange(SWAP8));
        FloatVector c6 = m12.blend(m13, HALF8).add(m13.blend(m12, HALF8).rearrange(SWAP8));
        FloatVector c7 = m14.blend(m15, HALF8).add(m15.blend(m14, HALF8).rearrange(SWAP8));
        FloatVector e0 = c0.blend(c1, HALF4).add(c1.blend(c0, HALF4).rearrange(SWAP4));
        FloatVector e1 = c2.blend(c3, HALF4).add(c3.blend(c2, HALF4).rearrange(SWAP4));
        FloatVector e2 = c4.blend(c5, HALF4).add(c5.blend(c4, HALF4).rearrange(SWAP4));
        FloatVector e3 = c6.blend(c7, HALF4).add(c7.blend(c6, HALF4).rearrange(SWAP4));
        FloatVector g0 = e0.blend(e1, HALF2).add(e1.blend(e0, HALF2).rearrange(SWAP2));
        FloatVector g1 = e2.blend(e3, HALF2).add(e3.blend(e2, HALF2).rearrange(SWAP2));
        g0.blend(g1, HALF1).add(g1.blend(g0, HALF1).rearrange(SWAP1)).intoArray(dst, d);
    }
}
