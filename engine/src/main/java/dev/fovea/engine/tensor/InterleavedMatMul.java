package dev.fovea.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row-interleaved Q8_0 / Q4_0 weights ({@link InterleavedQuants}) times any number of tokens, 16 rows in the
 * vector lanes. For each block, 32 FMAs of one weight column (16 rows) by one broadcast activation form the 16
 * rows' exact integer sums, which are then scaled and added in block order: per (row, token) the same
 * expressions, in the same order, as {@link QuantRowDot} and {@link QuantMatMul} — {@code sum + sumi·(dw·dx)} —
 * so the result is bit-identical to theirs and independent of the batch size, the token's place in it and the
 * thread count.
 *
 * <p>Tokens go through in chunks of 8 (one FMA chain each, every widened weight column used 8 times), then 4
 * (two chains each), then one at a time (eight chains), so that FMA latency never idles the units.
 */
final class InterleavedMatMul {
    private static final VectorSpecies<Float> F = VectorWidth.F;
    private static final VectorSpecies<Byte> B = VectorWidth.B;
    private static final VectorSpecies<Short> S = VectorWidth.S;
    private static final VectorSpecies<Integer> I = VectorWidth.I;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int ROWS = InterleavedQuants.ROWS;
    private static final int SCALES = 2 * ROWS;
    private static final int Q8_RECORD = InterleavedQuants.recordBytes(GgmlType.Q8_0);
    private static final int Q4_RECORD = InterleavedQuants.recordBytes(GgmlType.Q4_0);
    /** Row groups walked together per token chunk: their weights (≤ 4 × 16 rows) stay in L2 across chunks. */
    private static final int GROUPS_PER_TILE = 4;

    private InterleavedMatMul() {
    }

    /** out[t][r] = row r · token t for t in [0, a.n); a holds the Q8_0-quantized activations. */
    static void run(GgmlType type, MemorySegment il, int rows, int cols, QuantizedActivations a, float[] out,
                    Parallel pool) {
        boolean q8 = type == GgmlType.Q8_0;
        int blocks = cols / 32;
        int n = a.n;
        // zero tokens are added where one wider pass is cheaper than the narrower ones it replaces: an 8-token pass
        // costs about three single-token ones and a 4-token pass under two, so a rest of 6–7 becomes 8 and a rest of
        // 2–3 becomes 4 (5 stays 4 + 1)
        int rest = n % 8;
        // on 256-bit CPUs every Q4_0 token goes through the 16-bit-lane kernel, small batches too: the 8-token pass
        // widens nibbles to floats, and 8 tokens through it took longer than 8 single-token passes over the same
        // (cached) records — KernelBenchmark batch(8) 17.4 tok/s against 28.8 for one token
        boolean shortLanes = !q8 && ShortLaneKernels.applies();
        int padded = shortLanes ? n : rest >= 6 ? n - rest + 8 : rest == 2 || rest == 3 ? n - rest + 4 : n;
        float[] xq = padded == n ? a.q : Arrays.copyOf(a.q, padded * cols);
        float[] xd = padded == n ? a.scale : Arrays.copyOf(a.scale, padded * blocks);
        float[] dst = padded == n ? out : new float[padded * rows];
        // Q4_0: per token and block, the sum of the quantized activations, for the −8 offset of the nibbles
        int[] xsum = q8 ? new int[0] : QuantizedActivations.sumsOf32(xq, padded * cols);
        int singles = shortLanes ? 0 : firstSingle(padded);
        float[] x = shortLanes ? xq : interleaveTokens(xq, padded, cols, pool);
        int[] xs = null;
        if (shortLanes) {
            // the 16-bit-lane kernel reads its own activation layout
            xs = ShortLaneActivations.nibblePairs(xq, 0, padded, cols, 16);
        } else if (!q8) {
            x = scaleSingleTokensForNibbles(x, x != xq, singles, padded, cols);
        }
        // on 256-bit CPUs the single Q8_0 tokens go through the 16-bit-lane kernel, which reads its own layout of
        // those tokens' activations
        short[] pairs = q8 && !VectorWidth.WIDE && singles < padded
                ? ShortLaneActivations.columnPairs(xq, singles, padded - singles, cols) : null;
        Inputs in = new Inputs(type, il, rows, cols, padded, x, xd, xsum, dst, xs, singles, pairs);
        int groups = rows / ROWS;
        // handed out by pairs of groups, as they are stored (InterleavedQuants.recordOffset)
        pool.forRange((groups + 1) / 2, (from, to) -> groups(in, 2 * from, Math.min(groups, 2 * to)));
        if (dst != out) {
            System.arraycopy(dst, 0, out, 0, n * rows);
        }
    }

    /**
     * The activations with each multi-token pass's tokens side by side: the pass starting at token t holds, from
     * t·cols on, column c of its k tokens at c·k … c·k + k − 1, so that a kernel reaches all of them from one index
     * (k = 8 or 4, in the pass order of {@link #groups}; a single token keeps its row).
     */
    private static float[] interleaveTokens(float[] xq, int n, int cols, Parallel pool) {
        if (n < 4) {
            return xq;
        }
        float[] xt = new float[n * cols];
        // split by columns, not tokens: a pass's tokens share cache lines, a column range's do not
        int parts = Math.max(1, cols / 256);
        pool.forRange(parts, (from, to) -> {
            int c0 = (int) ((long) cols * from / parts);
            int c1 = (int) ((long) cols * to / parts);
            for (int t = 0; t < n; ) {
                int chunk = chunk(n - t);
                for (int k = 0; k < chunk; k++) {
                    int src = (t + k) * cols;
                    for (int c = c0, dst = t * cols + c0 * chunk + k; c < c1; c++, dst += chunk) {
                        xt[dst] = xq[src + c];
                    }
                }
                t += chunk;
            }
        });
        return xt;
    }

    /**
     * Q4_0 single-token passes take each nibble out with a mask alone, leaving it at its place in the int lane:
     * nibble 2i + h counts 16^(2i+h) times, so the activation it meets is scaled by 16^−(2i+h) beforehand. Both
     * are powers of two and the values integers of at most 8 bits, so each product is the same integer as
     * before and every sum is unchanged. The top nibble comes down by a shift instead (as a signed int it would
     * turn negative), so its activation keeps its value.
     */
    private static float[] scaleSingleTokensForNibbles(float[] x, boolean owned, int singles, int n, int cols) {
        if (singles == n) {
            return x;
        }
        float[] y = owned ? x : x.clone();
        for (int i = singles * cols; i < n * cols; i++) {
            y[i] *= NIBBLE_SCALE[i & 31];
        }
        return y;
    }

    /** Per weight of a Q4_0 block, the scale of its activation in {@link #oneQ4}: 16^−(nibble place). */
    private static final float[] NIBBLE_SCALE = new float[32];

    static {
        for (int w = 0; w < 32; w++) {
            int i = w % 4;
            int place = w < 16 ? 2 * i : 2 * i + 1;
            NIBBLE_SCALE[w] = place == 7 ? 1f : Math.scalb(1f, -4 * place);
        }
    }

    /** The first of the tokens that go through one at a time, after the passes of 8 and 4 ({@code n} if none). */
    private static int firstSingle(int n) {
        int singles = 0;
        while (singles < n && chunk(n - singles) > 1) {
            singles += chunk(n - singles);
        }
        return singles;
    }

    /** Tokens in the next pass when {@code left} remain. */
    private static int chunk(int left) {
        return left >= 8 ? 8 : left >= 4 ? 4 : 1;
    }

    /** One call's operands, shared by the threads. */
    private record Inputs(GgmlType type, MemorySegment il, int rows, int cols, int n, float[] xq, float[] xd,
                          int[] xsum, float[] out, int[] xs, int singles, short[] pairs) {
    }

    /** Row groups [from, to) for every token, a few groups at a time so their weights stay in L2 across chunks. */
    private static void groups(Inputs in, int from, int to) {
        GgmlType type = in.type;
        boolean q8 = type == GgmlType.Q8_0;
        int rows = in.rows;
        int cols = in.cols;
        int blocks = cols / 32;
        int groups = rows / ROWS;
        int n = in.n;
        int rec = q8 ? Q8_RECORD : Q4_RECORD;
        int[] scratch = in.pairs == null ? null : new int[32 * ShortLaneKernels.Q8_BLOCKS_PER_PASS];
        for (int g0 = from; g0 < to; g0 += GROUPS_PER_TILE) {
            int g1 = Math.min(to, g0 + GROUPS_PER_TILE);
            for (int t = 0; t < n; ) {
                int chunk = t >= in.singles ? 1 : chunk(n - t);
                for (int g = g0; g < g1; g++) {
                    // where the group's records are (InterleavedQuants.recordOffset: Q4_0 pairs alternate them)
                    long off = InterleavedQuants.recordOffset(type, g, 0, groups, blocks, rec);
                    long stride = InterleavedQuants.recordOffset(type, g, 1, groups, blocks, rec) - off;
                    // two groups in one kernel call when the next one's records keep the same stride: any two
                    // neighbours stored whole, the two groups of a stored pair (tiles start at even groups)
                    boolean both = g + 1 < g1
                            && InterleavedQuants.recordOffset(type, g + 1, 1, groups, blocks, rec)
                            - InterleavedQuants.recordOffset(type, g + 1, 0, groups, blocks, rec) == stride;
                    long partner = both ? InterleavedQuants.recordOffset(type, g + 1, 0, groups, blocks, rec) - off : 0;
                    int o = t * rows + g * ROWS;
                    // a narrow CPU runs each 16-row kernel as two 8-row parts; the two-group kernels need 16
                    // accumulators besides their operands, more than its 16 vector registers, so it runs each
                    // group alone
                    boolean pair = both && VectorWidth.WIDE;
                    for (int l0 = 0; l0 < ROWS; l0 += VectorWidth.LANES) {
                        if (chunk == 8 && pair) {
                            eightPair(l0, q8, in.il, off, partner, stride, blocks, in.xq, t * cols, in.xd, in.xsum,
                                    t * blocks, blocks, in.out, o, rows);
                        } else if (chunk == 8) {
                            eight(l0, q8, in.il, off, stride, blocks, in.xq, t * cols, cols, in.xd, in.xsum,
                                    t * blocks, in.out, o, rows);
                        } else if (chunk == 4) {
                            four(l0, q8, in.il, off, stride, blocks, in.xq, t * cols, cols, in.xd, in.xsum,
                                    t * blocks, in.out, o, rows);
                        } else if (q8 && !VectorWidth.WIDE) {
                            // all 16 rows in one pass
                            ShortLaneKernels.q8_0(in.il, off, stride, blocks, in.pairs, (t - in.singles) * cols * 8,
                                    in.xd, t * blocks, in.out, o, scratch);
                            break;
                        } else if (q8) {
                            // one method per type: both in one body would be too large to compile inlined
                            oneQ8(l0, in.il, off, stride, blocks, in.xq, t * cols, in.xd, t * blocks, in.out, o);
                        } else if (!VectorWidth.WIDE) {
                            // both 8-row parts in one pass, sharing each broadcast activation
                            // every token's patterns are in xs (nibblePairs from token 0)
                            ShortLaneKernels.q4_0(in.il, off, stride, blocks, in.xs, t * cols / 2, in.xd, in.xsum,
                                    t * blocks, in.out, o);
                            break;
                        } else if (pair) {
                            oneQ4Pair(l0, in.il, off, partner, stride, blocks, in.xq, t * cols, in.xd, in.xsum,
                                    t * blocks, in.out, o);
                        } else {
                            oneQ4(l0, in.il, off, stride, blocks, in.xq, t * cols, in.xd, in.xsum, t * blocks,
                                    in.out, o);
                        }
                    }
                    if (pair && (chunk == 8 || chunk == 1 && !q8)) {
                        g++;
                    }
                }
                t += chunk;
            }
        }
    }

    /** One token of Q8_0 weights: eight FMA chains over the block's 32 weight columns. */
    private static void oneQ8(int l0, MemorySegment m, long off, long stride, int blocks, float[] xq, int xo, float[] xd,
                              int xdo, float[] out, int o) {
        FloatVector sum = FloatVector.zero(F);
        long r = off;
        for (int b = 0; b < blocks; b++, r += stride) {
            int p = xo + 32 * b;
            long c = r + SCALES;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            FloatVector a4 = a0;
            FloatVector a5 = a0;
            FloatVector a6 = a0;
            FloatVector a7 = a0;
            for (int j = 0; j < 32; j += 8, c += 8 * ROWS) {
                a0 = ((FloatVector) ByteVector.fromMemorySegment(B, m, c + l0, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.broadcast(F, xq[p + j]), a0);
                a1 = ((FloatVector) ByteVector.fromMemorySegment(B, m, c + 1 * ROWS + l0, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.broadcast(F, xq[p + j + 1]), a1);
                a2 = ((FloatVector) ByteVector.fromMemorySegment(B, m, c + 2 * ROWS + l0, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.broadcast(F, xq[p + j + 2]), a2);
                a3 = ((FloatVector) ByteVector.fromMemorySegment(B, m, c + 3 * ROWS + l0, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.broadcast(F, xq[p + j + 3]), a3);
                a4 = ((FloatVector) ByteVector.fromMemorySegment(B, m, c + 4 * ROWS + l0, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.broadcast(F, xq[p + j + 4]), a4);
                a5 = ((FloatVector) ByteVector.fromMemorySegment(B, m, c + 5 * ROWS + l0, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.broadcast(F, xq[p + j + 5]), a5);
                a6 = ((FloatVector) ByteVector.fromMemorySegment(B, m, c + 6 * ROWS + l0, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.broadcast(F, xq[p + j + 6]), a6);
                a7 = ((FloatVector) ByteVector.fromMemorySegment(B, m, c + 7 * ROWS + l0, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.broadcast(F, xq[p + j + 7]), a7);
            }
            // the 16 F16 scales: magnitude bits moved to F32 positions times 2^112 is exact for normal and subnormal
            // halves alike (repacking rejects infinities and NaNs); then the sign
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S, m, r + 2 * l0, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            FloatVector dw = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            // exact: integers below 2^24, so the order of these additions does not matter
            FloatVector sumi = a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7)));
            sum = sum.add(sumi.mul(dw.mul(xd[xdo + b])));
        }
        sum.intoArray(out, o + l0);
    }

    /**
     * One token of Q4_0 weights. A record holds, per int column c (0–3), each row's quant bytes 4c … 4c+3 in one
     * 32-bit lane: nibble 2i is weight 4c + i, nibble 2i + 1 weight 4c + i + 16, each taken out by a mask in place
     * (chain i for the low nibbles, 4 + i for the high ones) against activations scaled to match
     * ({@link #scaleSingleTokensForNibbles}).
     */
    private static void oneQ4(int l0, MemorySegment m, long off, long stride, int blocks, float[] xq, int xo, float[] xd,
                              int[] xsum, int xdo, float[] out, int o) {
        FloatVector sum = FloatVector.zero(F);
        long r = off;
        for (int b = 0; b < blocks; b++, r += stride) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            FloatVector a4 = a0;
            FloatVector a5 = a0;
            FloatVector a6 = a0;
            FloatVector a7 = a0;
            long c = r + SCALES;
            for (int p = xo + 32 * b, end = p + 16; p < end; p += 4, c += 64) {
                IntVector v = IntVector.fromMemorySegment(I, m, c + 4 * l0, LE);
                a0 = ((FloatVector) v.and(0xF).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, xq[p]), a0);
                a4 = ((FloatVector) v.and(0xF0).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, xq[p + 16]), a4);
                a1 = ((FloatVector) v.and(0xF00).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, xq[p + 1]), a1);
                a5 = ((FloatVector) v.and(0xF000).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, xq[p + 17]), a5);
                a2 = ((FloatVector) v.and(0xF0000).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, xq[p + 2]), a2);
                a6 = ((FloatVector) v.and(0xF00000).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, xq[p + 18]), a6);
                a3 = ((FloatVector) v.and(0xF000000).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, xq[p + 3]), a3);
                a7 = ((FloatVector) v.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, xq[p + 19]), a7);
            }
            // exact: integers below 2^24, so the order of these additions does not matter
            FloatVector sumi = a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7))).sub(8 * xsum[xdo + b]);
            // the 16 F16 scales: magnitude bits moved to F32 positions times 2^112 is exact for normal and subnormal
            // halves alike (repacking rejects infinities and NaNs); then the sign
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S, m, r + 2 * l0, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            FloatVector dw = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            sum = sum.add(sumi.mul(dw.mul(xd[xdo + b])));
        }
        sum.intoArray(out, o + l0);
    }

    /**
     * {@link #oneQ4} over the two row groups of a stored pair (32 rows, one sequential stream of alternating
     * records): each broadcast activation meets both groups' nibble columns, half the broadcasts per FMA (Q4_0
     * decoding is bound by the kernel's instructions, not by memory).
     */
    private static void oneQ4Pair(int l0, MemorySegment m, long off, long partner, long stride, int blocks, float[] xq,
                                  int xo, float[] xd, int[] xsum, int xdo, float[] out, int o) {
        FloatVector sum = FloatVector.zero(F);
        FloatVector sum2 = sum;
        long r = off;
        for (int b = 0; b < blocks; b++, r += stride) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            FloatVector a4 = a0;
            FloatVector a5 = a0;
            FloatVector a6 = a0;
            FloatVector a7 = a0;
            FloatVector e0 = a0;
            FloatVector e1 = a0;
            FloatVector e2 = a0;
            FloatVector e3 = a0;
            FloatVector e4 = a0;
            FloatVector e5 = a0;
            FloatVector e6 = a0;
            FloatVector e7 = a0;
            long c = r + SCALES;
            for (int p = xo + 32 * b, end = p + 16; p < end; p += 4, c += 64) {
                IntVector v = IntVector.fromMemorySegment(I, m, c + 4 * l0, LE);
                IntVector u = IntVector.fromMemorySegment(I, m, c + partner + 4 * l0, LE);
                FloatVector x;
                x = FloatVector.broadcast(F, xq[p]);
                a0 = ((FloatVector) v.and(0xF).convert(VectorOperators.I2F, 0)).fma(x, a0);
                e0 = ((FloatVector) u.and(0xF).convert(VectorOperators.I2F, 0)).fma(x, e0);
                x = FloatVector.broadcast(F, xq[p + 16]);
                a4 = ((FloatVector) v.and(0xF0).convert(VectorOperators.I2F, 0)).fma(x, a4);
                e4 = ((FloatVector) u.and(0xF0).convert(VectorOperators.I2F, 0)).fma(x, e4);
                x = FloatVector.broadcast(F, xq[p + 1]);
                a1 = ((FloatVector) v.and(0xF00).convert(VectorOperators.I2F, 0)).fma(x, a1);
                e1 = ((FloatVector) u.and(0xF00).convert(VectorOperators.I2F, 0)).fma(x, e1);
                x = FloatVector.broadcast(F, xq[p + 17]);
                a5 = ((FloatVector) v.and(0xF000).convert(VectorOperators.I2F, 0)).fma(x, a5);
                e5 = ((FloatVector) u.and(0xF000).convert(VectorOperators.I2F, 0)).fma(x, e5);
                x = FloatVector.broadcast(F, xq[p + 2]);
                a2 = ((FloatVector) v.and(0xF0000).convert(VectorOperators.I2F, 0)).fma(x, a2);
                e2 = ((FloatVector) u.and(0xF0000).convert(VectorOperators.I2F, 0)).fma(x, e2);
                x = FloatVector.broadcast(F, xq[p + 18]);
                a6 = ((FloatVector) v.and(0xF00000).convert(VectorOperators.I2F, 0)).fma(x, a6);
                e6 = ((FloatVector) u.and(0xF00000).convert(VectorOperators.I2F, 0)).fma(x, e6);
                x = FloatVector.broadcast(F, xq[p + 3]);
                a3 = ((FloatVector) v.and(0xF000000).convert(VectorOperators.I2F, 0)).fma(x, a3);
                e3 = ((FloatVector) u.and(0xF000000).convert(VectorOperators.I2F, 0)).fma(x, e3);
                x = FloatVector.broadcast(F, xq[p + 19]);
                a7 = ((FloatVector) v.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0))
                        .fma(x, a7);
                e7 = ((FloatVector) u.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0))
                        .fma(x, e7);
            }
            // exact: integers below 2^24, so the order of these additions does not matter
            FloatVector sumi = a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7))).sub(8 * xsum[xdo + b]);
            FloatVector sumi2 = e0.add(e1).add(e2.add(e3)).add(e4.add(e5).add(e6.add(e7))).sub(8 * xsum[xdo + b]);
            // the 16 F16 scales of each group: magnitude bits moved to F32 positions times 2^112 is exact for normal
            // and subnormal halves alike (repacking rejects infinities and NaNs); then the sign
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S, m, r + 2 * l0, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            FloatVector dw = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            h = (IntVector) ShortVector.fromMemorySegment(S, m, r + partner + 2 * l0, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            FloatVector du = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            sum = sum.add(sumi.mul(dw.mul(xd[xdo + b])));
            sum2 = sum2.add(sumi2.mul(du.mul(xd[xdo + b])));
        }
        sum.intoArray(out, o + l0);
        sum2.intoArray(out, o + ROWS + l0);
    }

    /**
     * Four tokens, side by side in xq from xo ({@link #interleaveTokens}); token t's scales at xdo + t·xs/32. Two FMA
     * chains each (low and high weights).
     */
    private static void four(int l0, boolean q8, MemorySegment m, long off, long stride, int blocks, float[] xq, int xo,
                             int xs, float[] xd, int[] xsum, int xdo, float[] out, int o, int os) {
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        long r = off;
        for (int b = 0; b < blocks; b++, r += stride) {
            long c = r + SCALES;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            FloatVector c0 = a0;
            FloatVector c1 = a0;
            FloatVector c2 = a0;
            FloatVector c3 = a0;
            for (int j = 0; j < 16; j++, c += ROWS) {
                int k = xo + 4 * (32 * b + j);
                // Q4_0: int column j / 4 holds each row's bytes j & ~3 … (j & ~3) + 3; byte j's two nibbles
                long c4 = r + SCALES + 64L * (j >> 2);
                int shift = 8 * (j & 3);
                FloatVector w = q8
                        ? (FloatVector) ByteVector.fromMemorySegment(B, m, c + l0, LE)
                        .convertShape(VectorOperators.B2F, F, 0)
                        : (FloatVector) IntVector.fromMemorySegment(I, m, c4 + 4 * l0, LE)
                        .lanewise(VectorOperators.LSHR, shift).and(0xF).convert(VectorOperators.I2F, 0);
                a0 = w.fma(FloatVector.broadcast(F, xq[k]), a0);
                a1 = w.fma(FloatVector.broadcast(F, xq[k + 1]), a1);
                a2 = w.fma(FloatVector.broadcast(F, xq[k + 2]), a2);
                a3 = w.fma(FloatVector.broadcast(F, xq[k + 3]), a3);
                w = q8 ? (FloatVector) ByteVector.fromMemorySegment(B, m, c + 16 * ROWS + l0, LE)
                        .convertShape(VectorOperators.B2F, F, 0)
                        : (FloatVector) IntVector.fromMemorySegment(I, m, c4 + 4 * l0, LE)
                        .lanewise(VectorOperators.LSHR, shift + 4).and(0xF).convert(VectorOperators.I2F, 0);
                c0 = w.fma(FloatVector.broadcast(F, xq[k + 64]), c0);
                c1 = w.fma(FloatVector.broadcast(F, xq[k + 65]), c1);
                c2 = w.fma(FloatVector.broadcast(F, xq[k + 66]), c2);
                c3 = w.fma(FloatVector.broadcast(F, xq[k + 67]), c3);
            }
            // the 16 F16 scales: magnitude bits moved to F32 positions times 2^112 is exact for normal and subnormal
            // halves alike (repacking rejects infinities and NaNs); then the sign
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S, m, r + 2 * l0, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            FloatVector dw = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            int d = xdo + b;
            int ds = xs / 32;
            // Q4_0 columns hold the nibbles q, the weights are q − 8: take 8·Σx off each token's sum (exact)
            s0 = s0.add((q8 ? a0.add(c0) : a0.add(c0).sub(8 * xsum[d])).mul(dw.mul(xd[d])));
            s1 = s1.add((q8 ? a1.add(c1) : a1.add(c1).sub(8 * xsum[d + ds])).mul(dw.mul(xd[d + ds])));
            s2 = s2.add((q8 ? a2.add(c2) : a2.add(c2).sub(8 * xsum[d + 2 * ds])).mul(dw.mul(xd[d + 2 * ds])));
            s3 = s3.add((q8 ? a3.add(c3) : a3.add(c3).sub(8 * xsum[d + 3 * ds])).mul(dw.mul(xd[d + 3 * ds])));
        }
        s0.intoArray(out, o + l0);
        s1.intoArray(out, o + os + l0);
        s2.intoArray(out, o + 2 * os + l0);
        s3.intoArray(out, o + 3 * os + l0);
    }

    /**
     * Eight tokens over two adjacent row groups (32 rows), so that each broadcast activation meets both groups'
     * weight columns: half the broadcasts per FMA of {@link #eight}. The running sums live in {@code out}
     * (zeroed first, then {@code sum + sumi·(dw·dx)} per block in block order, the same additions as the other
     * kernels), which leaves the registers to the 16 block accumulators.
     */
    private static void eightPair(int l0, boolean q8, MemorySegment m, long off, long partner, long stride, int blocks,
                                  float[] xq, int xo, float[] xd, int[] xsum, int xdo, int ds, float[] out, int o,
                                  int os) {
        FloatVector zero = FloatVector.zero(F);
        for (int t = 0; t < 8; t++) {
            zero.intoArray(out, o + t * os + l0);
            zero.intoArray(out, o + ROWS + t * os + l0);
        }
        long r = off;
        for (int b = 0; b < blocks; b++, r += stride) {
            long c = r + SCALES;
            FloatVector a0 = zero;
            FloatVector a1 = zero;
            FloatVector a2 = zero;
            FloatVector a3 = zero;
            FloatVector a4 = zero;
            FloatVector a5 = zero;
            FloatVector a6 = zero;
            FloatVector a7 = zero;
            FloatVector e0 = zero;
            FloatVector e1 = zero;
            FloatVector e2 = zero;
            FloatVector e3 = zero;
            FloatVector e4 = zero;
            FloatVector e5 = zero;
            FloatVector e6 = zero;
            FloatVector e7 = zero;
            for (int j = 0; j < 16; j++, c += ROWS) {
                int k = xo + 8 * (32 * b + j);
                // Q4_0: int column j / 4 holds each row's bytes j & ~3 … (j & ~3) + 3; byte j's two nibbles
                long c4 = r + SCALES + 64L * (j >> 2);
                int shift = 8 * (j & 3);
                FloatVector w = q8
                        ? (FloatVector) ByteVector.fromMemorySegment(B, m, c + l0, LE)
                        .convertShape(VectorOperators.B2F, F, 0)
                        : (FloatVector) IntVector.fromMemorySegment(I, m, c4 + 4 * l0, LE)
                        .lanewise(VectorOperators.LSHR, shift).and(0xF).convert(VectorOperators.I2F, 0);
                FloatVector u = q8
                        ? (FloatVector) ByteVector.fromMemorySegment(B, m, c + partner + l0, LE)
                        .convertShape(VectorOperators.B2F, F, 0)
                        : (FloatVector) IntVector.fromMemorySegment(I, m, c4 + partner + 4 * l0, LE)
                        .lanewise(VectorOperators.LSHR, shift).and(0xF).convert(VectorOperators.I2F, 0);
                FloatVector x;
                x = FloatVector.broadcast(F, xq[k]);
                a0 = w.fma(x, a0);
                e0 = u.fma(x, e0);
                x = FloatVector.broadcast(F, xq[k + 1]);
                a1 = w.fma(x, a1);
                e1 = u.fma(x, e1);
                x = FloatVector.broadcast(F, xq[k + 2]);
                a2 = w.fma(x, a2);
                e2 = u.fma(x, e2);
                x = FloatVector.broadcast(F, xq[k + 3]);
                a3 = w.fma(x, a3);
                e3 = u.fma(x, e3);
                x = FloatVector.broadcast(F, xq[k + 4]);
                a4 = w.fma(x, a4);
                e4 = u.fma(x, e4);
                x = FloatVector.broadcast(F, xq[k + 5]);
                a5 = w.fma(x, a5);
                e5 = u.fma(x, e5);
                x = FloatVector.broadcast(F, xq[k + 6]);
                a6 = w.fma(x, a6);
                e6 = u.fma(x, e6);
                x = FloatVector.broadcast(F, xq[k + 7]);
                a7 = w.fma(x, a7);
                e7 = u.fma(x, e7);
                w = q8 ? (FloatVector) ByteVector.fromMemorySegment(B, m, c + 16 * ROWS + l0, LE)
                        .convertShape(VectorOperators.B2F, F, 0)
                        : (FloatVector) IntVector.fromMemorySegment(I, m, c4 + 4 * l0, LE)
                        .lanewise(VectorOperators.LSHR, shift + 4).and(0xF).convert(VectorOperators.I2F, 0);
                u = q8 ? (FloatVector) ByteVector.fromMemorySegment(B, m, c + 16 * ROWS + partner + l0, LE)
                        .convertShape(VectorOperators.B2F, F, 0)
                        : (FloatVector) IntVector.fromMemorySegment(I, m, c4 + partner + 4 * l0, LE)
                        .lanewise(VectorOperators.LSHR, shift + 4).and(0xF).convert(VectorOperators.I2F, 0);
                x = FloatVector.broadcast(F, xq[k + 128]);
                a0 = w.fma(x, a0);
                e0 = u.fma(x, e0);
                x = FloatVector.broadcast(F, xq[k + 129]);
                a1 = w.fma(x, a1);
                e1 = u.fma(x, e1);
                x = FloatVector.broadcast(F, xq[k + 130]);
                a2 = w.fma(x, a2);
                e2 = u.fma(x, e2);
                x = FloatVector.broadcast(F, xq[k + 131]);
                a3 = w.fma(x, a3);
                e3 = u.fma(x, e3);
                x = FloatVector.broadcast(F, xq[k + 132]);
                a4 = w.fma(x, a4);
                e4 = u.fma(x, e4);
                x = FloatVector.broadcast(F, xq[k + 133]);
                a5 = w.fma(x, a5);
                e5 = u.fma(x, e5);
                x = FloatVector.broadcast(F, xq[k + 134]);
                a6 = w.fma(x, a6);
                e6 = u.fma(x, e6);
                x = FloatVector.broadcast(F, xq[k + 135]);
                a7 = w.fma(x, a7);
                e7 = u.fma(x, e7);
            }
            // the 16 F16 scales of each group: magnitude bits moved to F32 positions times 2^112 is exact for normal
            // and subnormal halves alike (repacking rejects infinities and NaNs); then the sign
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S, m, r + 2 * l0, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            FloatVector dw = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            h = (IntVector) ShortVector.fromMemorySegment(S, m, r + partner + 2 * l0, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            FloatVector du = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            int d = xdo + b;
            // Q4_0 columns hold the nibbles q, the weights are q − 8: take 8·Σx off each token's sum (exact)
            FloatVector.fromArray(F, out, o + l0).add((q8 ? a0 : a0.sub(8 * xsum[d]))
                    .mul(dw.mul(xd[d]))).intoArray(out, o + l0);
            FloatVector.fromArray(F, out, o + ROWS + l0).add((q8 ? e0 : e0.sub(8 * xsum[d]))
                    .mul(du.mul(xd[d]))).intoArray(out, o + ROWS + l0);
            FloatVector.fromArray(F, out, o + os + l0).add((q8 ? a1 : a1.sub(8 * xsum[d + ds]))
                    .mul(dw.mul(xd[d + ds]))).intoArray(out, o + os + l0);
            FloatVector.fromArray(F, out, o + os + ROWS + l0).add((q8 ? e1 : e1.sub(8 * xsum[d + ds]))
                    .mul(du.mul(xd[d + ds]))).intoArray(out, o + os + ROWS + l0);
            FloatVector.fromArray(F, out, o + 2 * os + l0).add((q8 ? a2 : a2.sub(8 * xsum[d + 2 * ds]))
                    .mul(dw.mul(xd[d + 2 * ds]))).intoArray(out, o + 2 * os + l0);
            FloatVector.fromArray(F, out, o + 2 * os + ROWS + l0).add((q8 ? e2 : e2.sub(8 * xsum[d + 2 * ds]))
                    .mul(du.mul(xd[d + 2 * ds]))).intoArray(out, o + 2 * os + ROWS + l0);
            FloatVector.fromArray(F, out, o + 3 * os + l0).add((q8 ? a3 : a3.sub(8 * xsum[d + 3 * ds]))
                    .mul(dw.mul(xd[d + 3 * ds]))).intoArray(out, o + 3 * os + l0);
            FloatVector.fromArray(F, out, o + 3 * os + ROWS + l0).add((q8 ? e3 : e3.sub(8 * xsum[d + 3 * ds]))
                    .mul(du.mul(xd[d + 3 * ds]))).intoArray(out, o + 3 * os + ROWS + l0);
            FloatVector.fromArray(F, out, o + 4 * os + l0).add((q8 ? a4 : a4.sub(8 * xsum[d + 4 * ds]))
                    .mul(dw.mul(xd[d + 4 * ds]))).intoArray(out, o + 4 * os + l0);
            FloatVector.fromArray(F, out, o + 4 * os + ROWS + l0).add((q8 ? e4 : e4.sub(8 * xsum[d + 4 * ds]))
                    .mul(du.mul(xd[d + 4 * ds]))).intoArray(out, o + 4 * os + ROWS + l0);
            FloatVector.fromArray(F, out, o + 5 * os + l0).add((q8 ? a5 : a5.sub(8 * xsum[d + 5 * ds]))
                    .mul(dw.mul(xd[d + 5 * ds]))).intoArray(out, o + 5 * os + l0);
            FloatVector.fromArray(F, out, o + 5 * os + ROWS + l0).add((q8 ? e5 : e5.sub(8 * xsum[d + 5 * ds]))
                    .mul(du.mul(xd[d + 5 * ds]))).intoArray(out, o + 5 * os + ROWS + l0);
            FloatVector.fromArray(F, out, o + 6 * os + l0).add((q8 ? a6 : a6.sub(8 * xsum[d + 6 * ds]))
                    .mul(dw.mul(xd[d + 6 * ds]))).intoArray(out, o + 6 * os + l0);
            FloatVector.fromArray(F, out, o + 6 * os + ROWS + l0).add((q8 ? e6 : e6.sub(8 * xsum[d + 6 * ds]))
                    .mul(du.mul(xd[d + 6 * ds]))).intoArray(out, o + 6 * os + ROWS + l0);
            FloatVector.fromArray(F, out, o + 7 * os + l0).add((q8 ? a7 : a7.sub(8 * xsum[d + 7 * ds]))
                    .mul(dw.mul(xd[d + 7 * ds]))).intoArray(out, o + 7 * os + l0);
            FloatVector.fromArray(F, out, o + 7 * os + ROWS + l0).add((q8 ? e7 : e7.sub(8 * xsum[d + 7 * ds]))
                    .mul(du.mul(xd[d + 7 * ds]))).intoArray(out, o + 7 * os + ROWS + l0);
        }
    }

    /**
     * Eight tokens, side by side in xq from xo ({@link #interleaveTokens}); token t's scales at xdo + t·xs/32. One FMA
     * chain each; each widened weight column serves all eight.
     */
    private static void eight(int l0, boolean q8, MemorySegment m, long off, long stride, int blocks, float[] xq, int xo,
                              int xs, float[] xd, int[] xsum, int xdo, float[] out, int o, int os) {
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        FloatVector s4 = s0;
        FloatVector s5 = s0;
        FloatVector s6 = s0;
        FloatVector s7 = s0;
        long r = off;
        for (int b = 0; b < blocks; b++, r += stride) {
            long c = r + SCALES;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            FloatVector a4 = a0;
            FloatVector a5 = a0;
            FloatVector a6 = a0;
            FloatVector a7 = a0;
            for (int j = 0; j < 16; j++, c += ROWS) {
                int k = xo + 8 * (32 * b + j);
                // Q4_0: int column j / 4 holds each row's bytes j & ~3 … (j & ~3) + 3; byte j's two nibbles
                long c4 = r + SCALES + 64L * (j >> 2);
                int shift = 8 * (j & 3);
                FloatVector w = q8
                        ? (FloatVector) ByteVector.fromMemorySegment(B, m, c + l0, LE)
                        .convertShape(VectorOperators.B2F, F, 0)
                        : (FloatVector) IntVector.fromMemorySegment(I, m, c4 + 4 * l0, LE)
                        .lanewise(VectorOperators.LSHR, shift).and(0xF).convert(VectorOperators.I2F, 0);
                a0 = w.fma(FloatVector.broadcast(F, xq[k]), a0);
                a1 = w.fma(FloatVector.broadcast(F, xq[k + 1]), a1);
                a2 = w.fma(FloatVector.broadcast(F, xq[k + 2]), a2);
                a3 = w.fma(FloatVector.broadcast(F, xq[k + 3]), a3);
                a4 = w.fma(FloatVector.broadcast(F, xq[k + 4]), a4);
                a5 = w.fma(FloatVector.broadcast(F, xq[k + 5]), a5);
                a6 = w.fma(FloatVector.broadcast(F, xq[k + 6]), a6);
                a7 = w.fma(FloatVector.broadcast(F, xq[k + 7]), a7);
                w = q8 ? (FloatVector) ByteVector.fromMemorySegment(B, m, c + 16 * ROWS + l0, LE)
                        .convertShape(VectorOperators.B2F, F, 0)
                        : (FloatVector) IntVector.fromMemorySegment(I, m, c4 + 4 * l0, LE)
                        .lanewise(VectorOperators.LSHR, shift + 4).and(0xF).convert(VectorOperators.I2F, 0);
                a0 = w.fma(FloatVector.broadcast(F, xq[k + 128]), a0);
                a1 = w.fma(FloatVector.broadcast(F, xq[k + 129]), a1);
                a2 = w.fma(FloatVector.broadcast(F, xq[k + 130]), a2);
                a3 = w.fma(FloatVector.broadcast(F, xq[k + 131]), a3);
                a4 = w.fma(FloatVector.broadcast(F, xq[k + 132]), a4);
                a5 = w.fma(FloatVector.broadcast(F, xq[k + 133]), a5);
                a6 = w.fma(FloatVector.broadcast(F, xq[k + 134]), a6);
                a7 = w.fma(FloatVector.broadcast(F, xq[k + 135]), a7);
            }
            // the 16 F16 scales: magnitude bits moved to F32 positions times 2^112 is exact for normal and subnormal
            // halves alike (repacking rejects infinities and NaNs); then the sign
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S, m, r + 2 * l0, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            FloatVector dw = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            int d = xdo + b;
            int ds = xs / 32;
            // Q4_0 columns hold the nibbles q, the weights are q − 8: take 8·Σx off each token's sum (exact)
            s0 = s0.add((q8 ? a0 : a0.sub(8 * xsum[d])).mul(dw.mul(xd[d])));
            s1 = s1.add((q8 ? a1 : a1.sub(8 * xsum[d + ds])).mul(dw.mul(xd[d + ds])));
            s2 = s2.add((q8 ? a2 : a2.sub(8 * xsum[d + 2 * ds])).mul(dw.mul(xd[d + 2 * ds])));
            s3 = s3.add((q8 ? a3 : a3.sub(8 * xsum[d + 3 * ds])).mul(dw.mul(xd[d + 3 * ds])));
            s4 = s4.add((q8 ? a4 : a4.sub(8 * xsum[d + 4 * ds])).mul(dw.mul(xd[d + 4 * ds])));
            s5 = s5.add((q8 ? a5 : a5.sub(8 * xsum[d + 5 * ds])).mul(dw.mul(xd[d + 5 * ds])));
            s6 = s6.add((q8 ? a6 : a6.sub(8 * xsum[d + 6 * ds])).mul(dw.mul(xd[d + 6 * ds])));
            s7 = s7.add((q8 ? a7 : a7.sub(8 * xsum[d + 7 * ds])).mul(dw.mul(xd[d + 7 * ds])));
        }
        s0.intoArray(out, o + l0);
        s1.intoArray(out, o + os + l0);
        s2.intoArray(out, o + 2 * os + l0);
        s3.intoArray(out, o + 3 * os + l0);
        s4.intoArray(out, o + 4 * os + l0);
        s5.intoArray(out, o + 5 * os + l0);
        s6.intoArray(out, o + 6 * os + l0);
        s7.intoArray(out, o + 7 * os + l0);
    }
}
