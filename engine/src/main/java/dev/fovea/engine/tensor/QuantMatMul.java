package dev.fovea.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Tiled quantized weights × many tokens (prompt batches).
 *
 * <p>Tokens go in vector lanes: the quantized activations are regrouped as [16 tokens][k] columns so that one
 * FMA multiplies one weight by the same k of 16 tokens. A panel of rows is decoded chunk by chunk (256 values)
 * to integer-valued floats once and reused for every token; the micro-kernel forms, for 8 rows × 32 tokens,
 * exact integer sums over a span of k (every partial sum is an integer below 2^24, so the float FMAs are exact
 * whatever the order). Those exact sums are then scaled and accumulated with the same float expressions, in the
 * same block order, as {@link QuantRowDot} — so every output is bit-identical to the mat-vec result for that
 * token, whatever the batch size, tiling or thread count.
 */
final class QuantMatMul {
    private static final VectorSpecies<Float> F = VectorWidth.F;
    private static final VectorSpecies<Integer> I = VectorWidth.I;
    /** Tokens per group in the regrouped activations (the layout; a narrow CPU covers them in two vector parts). */
    static final int LANES = 16;
    private static final int VL = VectorWidth.LANES;
    private static final int TILE = 8;
    private static final int CHUNK = 256;
    private static final int MAX_PANEL = 64;

    private QuantMatMul() {
    }

    /**
     * Span of k over which integer sums of (scaled) quants times int8 activations stay below 2^24: 32 × 128 × 127
     * for Q8_0/Q4_0 blocks; K-quants fold the sub-block scale into the weight: Q4_K 128 × 63·15 × 127,
     * Q5_K 64 × 63·31 × 127, Q6_K 32 × 128·32 × 127.
     */
    private static int span(GgmlType type) {
        return switch (type) {
            case Q8_0, Q4_0 -> 32;
            case Q4_K -> 128;
            case Q5_K -> 64;
            case Q6_K -> 32;
            default -> throw new IllegalArgumentException("not a quantized type: " + type);
        };
    }

    /** The activation format llama.cpp's CPU backend quantizes the input to for weights of {@code type}. */
    static QuantizedActivations.Kind kind(GgmlType type) {
        return switch (type) {
            case Q8_0, Q4_0, Q5_0, IQ4_NL -> QuantizedActivations.Kind.Q8_0;
            case Q4_1, Q5_1 -> QuantizedActivations.Kind.Q8_1;
            default -> QuantizedActivations.Kind.Q8_K;
        };
    }

    /** Whether this tiled kernel covers {@code type}; the other quantized types run their row kernel per token. */
    static boolean tiles(GgmlType type) {
        return switch (type) {
            case Q8_0, Q4_0, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    static void run(MemorySegment seg, GgmlType type, int rows, int cols, float[] x, int n, float[] out,
                    Parallel pool) {
        run(seg, false, type, rows, cols, x, n, out, pool);
    }

    /**
     * As {@link #run(MemorySegment, GgmlType, int, int, float[], int, float[], Parallel)} over Q4_0 weights in
     * {@link InterleavedQuants}' repacked layout when {@code repacked}: rows are read back from it into ggml's
     * layout before decoding, so the decoded values — and the results — are the same.
     */
    static void run(MemorySegment seg, boolean repacked, GgmlType type, int rows, int cols, float[] x, int n,
                    float[] out, Parallel pool) {
        if (repacked && type != GgmlType.Q4_0) {
            throw new IllegalArgumentException("the tiled kernel reads repacked Q4_0 only, not " + type);
        }
        QuantizedActivations a = QuantizedActivations.of(kind(type), x, 0, n, cols);
        int groups = (n + 2 * LANES - 1) / (2 * LANES) * 2;
        Inputs in = new Inputs(a.valuesByGroup(groups), a.scalesByGroup(groups),
                a.bsum == null ? null : a.sumsByGroup(groups), groups, n);
        int perThread = (rows + pool.threads() - 1) / pool.threads();
        int panelRows = Math.min(MAX_PANEL, (perThread + TILE - 1) / TILE * TILE);
        int panels = (rows + panelRows - 1) / panelRows;
        long rowBytes = type.byteSize(cols);
        pool.forRange(panels, (from, to) -> {
            Panel p = new Panel(seg, repacked, type, rows, cols, rowBytes, panelRows, in);
            for (int i = from; i < to; i++) {
                p.run(i * panelRows, out);
            }
        });
    }

    /** Regrouped activations shared by all panels. */
    private record Inputs(float[] values, float[] scales, float[] sums, int groups, int n) {
    }

    /** Per-thread scratch for one panel of rows. */
    private static final class Panel {
        private final MemorySegment seg;
        private final boolean repacked;
        private final GgmlType type;
        private final int rows;
        private final int cols;
        private final long rowBytes;
        private final int panelRows;
        private final Inputs in;
        private final int span;
        private final boolean kQuant;
        private final boolean hasMins;
        private final byte[] raw;
        private final float[] w;
        private final float[] scale;
        private final float[] minScale;
        private final int[] mins;
        /** Q4_K/Q5_K: row r's eight minimums of the chunk at r·CHUNK, as the tile kernel's weights. */
        private final float[] minWeights;
        private final float[] totals;
        /** One tile's exact sums, per span of k at span · TILE · 2 · LANES. */
        private final float[] sums;
        /** One tile's Σ minimum · (sum of 32 activations) over the chunk's eight sub-blocks (Q4_K/Q5_K). */
        private final float[] minSums = new float[TILE * 2 * LANES];

        Panel(MemorySegment seg, boolean repacked, GgmlType type, int rows, int cols, long rowBytes, int panelRows,
              Inputs in) {
            this.seg = seg;
            this.repacked = repacked;
            this.type = type;
            this.rows = rows;
            this.cols = cols;
            this.rowBytes = rowBytes;
            this.panelRows = panelRows;
            this.in = in;
            this.span = span(type);
            this.kQuant = type.blockSize() == 256;
            this.hasMins = type == GgmlType.Q4_K || type == GgmlType.Q5_K;
            this.raw = new byte[Math.toIntExact(type.byteSize(CHUNK))];
            this.w = new float[panelRows * CHUNK];
            this.scale = new float[panelRows * 8];
            this.minScale = new float[panelRows * 8];
            this.mins = new int[panelRows * 8];
            this.minWeights = hasMins ? new float[panelRows * CHUNK] : null;
            this.sums = new float[(kQuant ? CHUNK / span : 1) * TILE * 2 * LANES];
            this.totals = new float[panelRows * in.groups * LANES];
        }

        void run(int row0, float[] out) {
            Arrays.fill(totals, 0f);
            for (int k0 = 0; k0 < cols; k0 += CHUNK) {
                int len = Math.min(CHUNK, cols - k0);
                decode(row0, k0, len);
                for (int gp = 0; gp < in.groups; gp += 2) {
                    for (int rt = 0; rt < panelRows; rt += TILE) {
                        if (kQuant) {
                            superBlock(rt, gp, k0);
                        } else {
                            blocks(rt, gp, k0, len);
                        }
                    }
                }
            }
            int stride = in.groups * LANES;
            int panel = Math.min(panelRows, rows - row0);
            // token by token: each token's outputs are a run in out (row by row, every store fell on another page)
            for (int t = 0; t < in.n; t++) {
                for (int r = 0; r < panel; r++) {
                    out[t * rows + row0 + r] = totals[r * stride + t];
                }
            }
        }

        private void decode(int row0, int k0, int len) {
            int bytes = Math.toIntExact(type.byteSize(len));
            long byteOff = type.byteSize(k0);
            for (int r = 0; r < panelRows; r++) {
                if (row0 + r < rows) {
                    if (repacked) {
                        InterleavedQuants.q4_0RowBlocks(seg, rows, cols, row0 + r, k0 / 32, len / 32, raw);
                    } else {
                        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, (row0 + r) * rowBytes + byteOff, raw, 0, bytes);
                    }
                    VectorQuantDecoder.quants(type, raw, 0, len, w, r * CHUNK, scale, r * 8, minScale, mins, r);
                    if (hasMins) {
                        for (int j = 0; j < 8; j++) {
                            minWeights[r * CHUNK + j] = mins[r * 8 + j];
                        }
                    }
                } else {
                    Arrays.fill(w, r * CHUNK, (r + 1) * CHUNK, 0f);
                    Arrays.fill(scale, r * 8, r * 8 + 8, 0f);
                    Arrays.fill(minScale, r * 8, r * 8 + 8, 0f);
                    if (hasMins) {
                        Arrays.fill(minWeights, r * CHUNK, r * CHUNK + 8, 0f);
                    }
                }
            }
        }

        /** Q8_0/Q4_0: for each 32-block, total += sumi · (dw · dx). */
        private void blocks(int rt, int gp, int k0, int len) {
            int blocksPerRow = cols / 32;
            int stride = in.groups * LANES;
            if (!VectorWidth.WIDE) {
                for (int l0 = 0; l0 < LANES; l0 += VL) {
                    for (int r = 0; r < TILE; r += 4) {
                        fourRowsBlocks(w, (rt + r) * CHUNK, in.values, (gp * cols + k0) * LANES + l0,
                                ((gp + 1) * cols + k0) * LANES + l0, len / 32, scale, (rt + r) * 8, in.scales,
                                (gp * blocksPerRow + k0 / 32) * LANES + l0,
                                ((gp + 1) * blocksPerRow + k0 / 32) * LANES + l0, totals,
                                (rt + r) * stride + gp * LANES + l0, stride);
                    }
                }
                return;
            }
            for (int bl = 0; bl < len / 32; bl++) {
                int k = k0 + 32 * bl;
                kernel(w, rt * CHUNK + 32 * bl, in.values, (gp * cols + k) * LANES, ((gp + 1) * cols + k) * LANES,
                        32, sums, 0);
                int blk = k / 32;
                for (int l0 = 0; l0 < LANES; l0 += VL) {
                    FloatVector dx0 = FloatVector.fromArray(F, in.scales, (gp * blocksPerRow + blk) * LANES + l0);
                    FloatVector dx1 = FloatVector.fromArray(F, in.scales, ((gp + 1) * blocksPerRow + blk) * LANES + l0);
                    for (int r = 0; r < TILE; r++) {
                        float dw = scale[(rt + r) * 8 + bl];
                        int t0 = (rt + r) * stride + gp * LANES + l0;
                        FloatVector s0 = FloatVector.fromArray(F, sums, (2 * r) * LANES + l0);
                        FloatVector s1 = FloatVector.fromArray(F, sums, (2 * r + 1) * LANES + l0);
                        FloatVector.fromArray(F, totals, t0).add(s0.mul(dx0.mul(dw))).intoArray(totals, t0);
                        FloatVector.fromArray(F, totals, t0 + LANES).add(s1.mul(dx1.mul(dw)))
                                .intoArray(totals, t0 + LANES);
                    }
                }
            }
        }

        /**
         * K-quants: total += (yd·d)·sumi − (yd·dmin)·summ for the 256-value super-block at k0. The tile kernel forms
         * sumi span by span (each span's sum exact in a float; Q4_K's two added as floats, more spans as ints) and,
         * with the eight minimums as weights and the sub-block sums as activations, summ (exact: below 2^24).
         */
        private void superBlock(int rt, int gp, int k0) {
            int spans = CHUNK / span;
            int tile = TILE * 2 * LANES;
            for (int s = 0; s < spans; s++) {
                int k = k0 + s * span;
                kernel(w, rt * CHUNK + s * span, in.values, (gp * cols + k) * LANES, ((gp + 1) * cols + k) * LANES,
                        span, sums, s * tile);
            }
            int subs = cols / 32;
            if (hasMins) {
                kernel(minWeights, rt * CHUNK, in.sums, (gp * subs + k0 / 32) * LANES,
                        ((gp + 1) * subs + k0 / 32) * LANES, 8, minSums, 0);
            }
            int stride = in.groups * LANES;
            int superBlocks = cols / 256;
            for (int r = 0; r < TILE; r++) {
                int pr = rt + r;
                float d = scale[pr * 8];
                float dmin = minScale[pr * 8];
                for (int g = 0; g < 2; g++) {
                    for (int l0 = 0; l0 < LANES; l0 += VL) {
                        int i = (2 * r + g) * LANES + l0;
                        FloatVector yd = FloatVector.fromArray(F, in.scales,
                                ((gp + g) * superBlocks + k0 / 256) * LANES + l0);
                        FloatVector sumi;
                        if (spans == 2) {
                            // two exact floats: their float sum is the exact sum rounded once, as I2F rounds it
                            sumi = FloatVector.fromArray(F, sums, i).add(FloatVector.fromArray(F, sums, tile + i));
                        } else {
                            IntVector isum = (IntVector) FloatVector.fromArray(F, sums, i)
                                    .convert(VectorOperators.F2I, 0);
                            for (int s = 1; s < spans; s++) {
                                isum = isum.add((IntVector) FloatVector.fromArray(F, sums, s * tile + i)
                                        .convert(VectorOperators.F2I, 0));
                            }
                            sumi = (FloatVector) isum.convert(VectorOperators.I2F, 0);
                        }
                        FloatVector term = yd.mul(d).mul(sumi);
                        if (hasMins) {
                            term = term.sub(yd.mul(dmin).mul(FloatVector.fromArray(F, minSums, i)));
                        }
                        int t = pr * stride + (gp + g) * LANES + l0;
                        FloatVector.fromArray(F, totals, t).add(term).intoArray(totals, t);
                    }
                }
            }
        }
    }

    /**
     * sums[so + (2r+g)·16 + lane] = Σ_{k<len} w[wo + r·CHUNK + k] · x[xg + k·16 + lane] for 8 rows r and the two
     * token groups g at x0 and x1.
     */
    static void kernel(float[] w, int wo, float[] x, int x0, int x1, int len, float[] sums, int so) {
        if (!VectorWidth.WIDE) {
            // 8 rows × 2 groups of 8-lane accumulators would need 16 registers besides the operands: four rows at a
            // time, each group's lanes in two parts
            for (int l0 = 0; l0 < LANES; l0 += VL) {
                kernelFourRows(w, wo, x, x0 + l0, x1 + l0, len, sums, so + l0);
                kernelFourRows(w, wo + 4 * CHUNK, x, x0 + l0, x1 + l0, len, sums, so + 8 * LANES + l0);
            }
            return;
        }
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F);
        FloatVector a40 = FloatVector.zero(F), a41 = FloatVector.zero(F);
        FloatVector a50 = FloatVector.zero(F), a51 = FloatVector.zero(F);
        FloatVector a60 = FloatVector.zero(F), a61 = FloatVector.zero(F);
        FloatVector a70 = FloatVector.zero(F), a71 = FloatVector.zero(F);
        for (int k = 0; k < len; k++) {
            FloatVector xa = FloatVector.fromArray(F, x, x0 + k * LANES);
            FloatVector xb = FloatVector.fromArray(F, x, x1 + k * LANES);
            int wk = wo + k;
            FloatVector v = FloatVector.broadcast(F, w[wk]);
            a00 = v.fma(xa, a00);
            a01 = v.fma(xb, a01);
            v = FloatVector.broadcast(F, w[wk + CHUNK]);
            a10 = v.fma(xa, a10);
            a11 = v.fma(xb, a11);
            v = FloatVector.broadcast(F, w[wk + 2 * CHUNK]);
            a20 = v.fma(xa, a20);
            a21 = v.fma(xb, a21);
            v = FloatVector.broadcast(F, w[wk + 3 * CHUNK]);
            a30 = v.fma(xa, a30);
            a31 = v.fma(xb, a31);
            v = FloatVector.broadcast(F, w[wk + 4 * CHUNK]);
            a40 = v.fma(xa, a40);
            a41 = v.fma(xb, a41);
            v = FloatVector.broadcast(F, w[wk + 5 * CHUNK]);
            a50 = v.fma(xa, a50);
            a51 = v.fma(xb, a51);
            v = FloatVector.broadcast(F, w[wk + 6 * CHUNK]);
            a60 = v.fma(xa, a60);
            a61 = v.fma(xb, a61);
            v = FloatVector.broadcast(F, w[wk + 7 * CHUNK]);
            a70 = v.fma(xa, a70);
            a71 = v.fma(xb, a71);
        }
        a00.intoArray(sums, so);
        a01.intoArray(sums, so + 16);
        a10.intoArray(sums, so + 32);
        a11.intoArray(sums, so + 48);
        a20.intoArray(sums, so + 64);
        a21.intoArray(sums, so + 80);
        a30.intoArray(sums, so + 96);
        a31.intoArray(sums, so + 112);
        a40.intoArray(sums, so + 128);
        a41.intoArray(sums, so + 144);
        a50.intoArray(sums, so + 160);
        a51.intoArray(sums, so + 176);
        a60.intoArray(sums, so + 192);
        a61.intoArray(sums, so + 208);
        a70.intoArray(sums, so + 224);
        a71.intoArray(sums, so + 240);
    }

    /**
     * {@link #blocks}' work for four rows and {@link VectorWidth#LANES} lanes of each token group, the scaling done
     * on the accumulators as each 32-block ends (no sums stored and read back): per block b, row r and group g,
     * totals[to + r·stride + g·16 + lane] += sumi · (dx[dxg + b·16 + lane] · dw[dwo + r·8 + b]) — {@link #blocks}'
     * expressions, so the same bits.
     */
    private static void fourRowsBlocks(float[] w, int wo, float[] x, int x0, int x1, int blocks, float[] dw, int dwo,
                                       float[] dx, int dx0, int dx1, float[] totals, int to, int stride) {
        for (int b = 0; b < blocks; b++) {
            FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F);
            FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F);
            FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F);
            FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F);
            int xb0 = x0 + 32 * b * LANES;
            int xb1 = x1 + 32 * b * LANES;
            int wb = wo + 32 * b;
            for (int k = 0; k < 32; k++) {
                FloatVector xa = FloatVector.fromArray(F, x, xb0 + k * LANES);
                FloatVector xb = FloatVector.fromArray(F, x, xb1 + k * LANES);
                int wk = wb + k;
                FloatVector v = FloatVector.broadcast(F, w[wk]);
                a00 = v.fma(xa, a00);
                a01 = v.fma(xb, a01);
                v = FloatVector.broadcast(F, w[wk + CHUNK]);
                a10 = v.fma(xa, a10);
                a11 = v.fma(xb, a11);
                v = FloatVector.broadcast(F, w[wk + 2 * CHUNK]);
                a20 = v.fma(xa, a20);
                a21 = v.fma(xb, a21);
                v = FloatVector.broadcast(F, w[wk + 3 * CHUNK]);
                a30 = v.fma(xa, a30);
                a31 = v.fma(xb, a31);
            }
            FloatVector d0 = FloatVector.fromArray(F, dx, dx0 + b * LANES);
            FloatVector d1 = FloatVector.fromArray(F, dx, dx1 + b * LANES);
            int t = to;
            float s = dw[dwo + b];
            FloatVector.fromArray(F, totals, t).add(a00.mul(d0.mul(s))).intoArray(totals, t);
            FloatVector.fromArray(F, totals, t + LANES).add(a01.mul(d1.mul(s))).intoArray(totals, t + LANES);
            t += stride;
            s = dw[dwo + 8 + b];
            FloatVector.fromArray(F, totals, t).add(a10.mul(d0.mul(s))).intoArray(totals, t);
            FloatVector.fromArray(F, totals, t + LANES).add(a11.mul(d1.mul(s))).intoArray(totals, t + LANES);
            t += stride;
            s = dw[dwo + 16 + b];
            FloatVector.fromArray(F, totals, t).add(a20.mul(d0.mul(s))).intoArray(totals, t);
            FloatVector.fromArray(F, totals, t + LANES).add(a21.mul(d1.mul(s))).intoArray(totals, t + LANES);
            t += stride;
            s = dw[dwo + 24 + b];
            FloatVector.fromArray(F, totals, t).add(a30.mul(d0.mul(s))).intoArray(totals, t);
            FloatVector.fromArray(F, totals, t + LANES).add(a31.mul(d1.mul(s))).intoArray(totals, t + LANES);
        }
    }

    /**
     * {@link #kernel} for four rows and {@link VectorWidth#LANES} lanes of each group: sums[so + (2r+g)·16 + lane] for
     * rows r &lt; 4 (at wo + r·CHUNK) and groups g at x0 and x1 (already offset to the part's first lane).
     */
    private static void kernelFourRows(float[] w, int wo, float[] x, int x0, int x1, int len, float[] sums, int so) {
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F);
        for (int k = 0; k < len; k++) {
            FloatVector xa = FloatVector.fromArray(F, x, x0 + k * LANES);
            FloatVector xb = FloatVector.fromArray(F, x, x1 + k * LANES);
            int wk = wo + k;
            FloatVector v = FloatVector.broadcast(F, w[wk]);
            a00 = v.fma(xa, a00);
            a01 = v.fma(xb, a01);
            v = FloatVector.broadcast(F, w[wk + CHUNK]);
            a10 = v.fma(xa, a10);
            a11 = v.fma(xb, a11);
            v = FloatVector.broadcast(F, w[wk + 2 * CHUNK]);
            a20 = v.fma(xa, a20);
            a21 = v.fma(xb, a21);
            v = FloatVector.broadcast(F, w[wk + 3 * CHUNK]);
            a30 = v.fma(xa, a30);
            a31 = v.fma(xb, a31);
        }
        a00.intoArray(sums, so);
        a01.intoArray(sums, so + 16);
        a10.intoArray(sums, so + 32);
        a11.intoArray(sums, so + 48);
        a20.intoArray(sums, so + 64);
        a21.intoArray(sums, so + 80);
        a30.intoArray(sums, so + 96);
        a31.intoArray(sums, so + 112);
    }
}
