package dev.fovea.engine.vision;

import dev.fovea.engine.ops.VectorExp;
import dev.fovea.engine.tensor.Parallel;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Full (unmasked) multi-head self-attention of a vision tower, one (image, head) pair per task.
 *
 * <p>With head sizes of 64 the scores Q·Kᵀ are 64-term dot products: a kernel that sums each across lanes spends
 * more on the lane sums than on the FMAs. Here both products broadcast one scalar against 16 consecutive outputs
 * instead (keys for the scores, head channels for the mix), so every output is a plain FMA chain in channel
 * (resp. key) order and no lane sums are needed. Each output's summation order is fixed by the shapes alone, so
 * results do not depend on the thread count or on how many images are batched. Scores are made four queries at
 * a time and go through softmax and P·V while they are still in L1.
 */
final class VisionAttention {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final int LANES = 16;
    /** Queries per tile. */
    private static final int QT = 4;
    /** Key (resp. channel) vectors per tile: keys are padded to a multiple of QT · LANES. */
    private static final int VT = 4;
    private static final VectorShuffle<Float> SWAP8 = VectorShuffle.fromOp(F, i -> i ^ 8);
    private static final VectorShuffle<Float> SWAP4 = VectorShuffle.fromOp(F, i -> i ^ 4);
    private static final VectorShuffle<Float> SWAP2 = VectorShuffle.fromOp(F, i -> i ^ 2);
    private static final VectorShuffle<Float> SWAP1 = VectorShuffle.fromOp(F, i -> i ^ 1);

    /**
     * Whether the CPU has 512-bit vectors. Without them (AVX2) a 512-bit species runs as slow Java code, so the
     * 16-lane steps are made of 8-lane halves: every score and mixed value is the same FMA chain, and the softmax
     * sum keeps its 16 per-lane partial sums as two halves, whose sum is the lane sum's first level — same bits.
     */
    static final boolean WIDE = dev.fovea.engine.tensor.VectorWidth.WIDE;
    private static final VectorSpecies<Float> H = FloatVector.SPECIES_256;
    private static final int HL = 8;
    private static final VectorShuffle<Float> H_SWAP4 = VectorShuffle.fromOp(H, i -> i ^ 4);
    private static final VectorShuffle<Float> H_SWAP2 = VectorShuffle.fromOp(H, i -> i ^ 2);
    private static final VectorShuffle<Float> H_SWAP1 = VectorShuffle.fromOp(H, i -> i ^ 1);

    private VisionAttention() {
    }

    /**
     * q, k, v are [count·n][embd] with the heads side by side in each row; returns the mixed values in the same
     * layout.
     */
    static float[] run(float[] q, float[] k, float[] v, int count, int n, int embd, int heads, Parallel pool) {
        return run(q, k, v, count, n, embd, heads, pool, WIDE);
    }

    /** {@link #run} with 16-lane vectors ({@code wide}) or their 8-lane halves; both give the same bits. */
    static float[] run(float[] q, float[] k, float[] v, int count, int n, int embd, int heads, Parallel pool,
                       boolean wide) {
        int hd = embd / heads;
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] out = new float[count * n * embd];
        int keyPad = (n + VT * LANES - 1) / (VT * LANES) * (VT * LANES);
        int hdPad = (hd + LANES - 1) / LANES * LANES;
        // tasks are taken one at a time, so a thread that the OS holds back takes fewer of them
        int tasks = count * heads;
        AtomicInteger next = new AtomicInteger();
        pool.forRange(Math.min(pool.threads(), tasks), (from, to) -> {
            float[] kt = new float[hd * keyPad];
            float[] vh = new float[n * hdPad];
            float[] scores = new float[QT * keyPad];
            float[] mixed = new float[QT * hdPad];
            for (int task = next.getAndIncrement(); task < tasks; task = next.getAndIncrement()) {
                int rowBase = (task / heads) * n;
                int off = (task % heads) * hd;
                for (int j = 0; j < n; j++) {
                    int src = (rowBase + j) * embd + off;
                    for (int c = 0; c < hd; c++) {
                        kt[c * keyPad + j] = k[src + c];
                    }
                    System.arraycopy(v, src, vh, j * hdPad, hd);
                }
                for (int t = 0; t < n; t += QT) {
                    int live = Math.min(QT, n - t);
                    if (wide) {
                        scoreTiles(q, rowBase, t, n, embd, off, hd, kt, keyPad, scale, scores);
                        for (int i = 0; i < live; i++) {
                            softmax(scores, i * keyPad, n, keyPad);
                        }
                        mixTiles(scores, keyPad, n, vh, hdPad, mixed);
                    } else {
                        scoreTilesHalves(q, rowBase, t, n, embd, off, hd, kt, keyPad, scale, scores);
                        for (int i = 0; i < live; i++) {
                            softmaxHalves(scores, i * keyPad, n, keyPad);
                        }
                        mixTilesHalves(scores, keyPad, n, vh, hdPad, mixed);
                    }
                    for (int i = 0; i < live; i++) {
                        System.arraycopy(mixed, i * hdPad, out, (rowBase + t + i) * embd + off, hd);
                    }
                }
            }
        });
        return out;
    }

    /** scores[i][j] = scale · (q[t+i] · k[j]) for the QT queries from t (the last one repeated past n). */
    private static void scoreTiles(float[] q, int rowBase, int t, int n, int embd, int off, int hd, float[] kt,
                                   int keyPad, float scale, float[] scores) {
        int q0 = (rowBase + Math.min(t, n - 1)) * embd + off;
        int q1 = (rowBase + Math.min(t + 1, n - 1)) * embd + off;
        int q2 = (rowBase + Math.min(t + 2, n - 1)) * embd + off;
        int q3 = (rowBase + Math.min(t + 3, n - 1)) * embd + off;
        for (int j = 0; j < keyPad; j += VT * LANES) {
            FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
            FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
            FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
            FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
            for (int c = 0; c < hd; c++) {
                int kr = c * keyPad + j;
                FloatVector k0 = FloatVector.fromArray(F, kt, kr);
                FloatVector k1 = FloatVector.fromArray(F, kt, kr + LANES);
                FloatVector k2 = FloatVector.fromArray(F, kt, kr + 2 * LANES);
                FloatVector k3 = FloatVector.fromArray(F, kt, kr + 3 * LANES);
                FloatVector b = FloatVector.broadcast(F, q[q0 + c]);
                a00 = k0.fma(b, a00);
                a01 = k1.fma(b, a01);
                a02 = k2.fma(b, a02);
                a03 = k3.fma(b, a03);
                b = FloatVector.broadcast(F, q[q1 + c]);
                a10 = k0.fma(b, a10);
                a11 = k1.fma(b, a11);
                a12 = k2.fma(b, a12);
                a13 = k3.fma(b, a13);
                b = FloatVector.broadcast(F, q[q2 + c]);
                a20 = k0.fma(b, a20);
                a21 = k1.fma(b, a21);
                a22 = k2.fma(b, a22);
                a23 = k3.fma(b, a23);
                b = FloatVector.broadcast(F, q[q3 + c]);
                a30 = k0.fma(b, a30);
                a31 = k1.fma(b, a31);
                a32 = k2.fma(b, a32);
                a33 = k3.fma(b, a33);
            }
            int s = j;
            a00.mul(scale).intoArray(scores, s);
            a01.mul(scale).intoArray(scores, s + LANES);
            a02.mul(scale).intoArray(scores, s + 2 * LANES);
            a03.mul(scale).intoArray(scores, s + 3 * LANES);
            s += keyPad;
            a10.mul(scale).intoArray(scores, s);
            a11.mul(scale).intoArray(scores, s + LANES);
            a12.mul(scale).intoArray(scores, s + 2 * LANES);
            a13.mul(scale).intoArray(scores, s + 3 * LANES);
            s += keyPad;
            a20.mul(scale).intoArray(scores, s);
            a21.mul(scale).intoArray(scores, s + LANES);
            a22.mul(scale).intoArray(scores, s + 2 * LANES);
            a23.mul(scale).intoArray(scores, s + 3 * LANES);
            s += keyPad;
            a30.mul(scale).intoArray(scores, s);
            a31.mul(scale).intoArray(scores, s + LANES);
            a32.mul(scale).intoArray(scores, s + 2 * LANES);
            a33.mul(scale).intoArray(scores, s + 3 * LANES);
        }
    }

    /**
     * Softmax of x[off, off+n) in place; x[off+n, off+pad) (padding keys) becomes 0. The exponentials are summed
     * per lane in key order, then across lanes by a fixed tree.
     */
    private static void softmax(float[] x, int off, int n, int pad) {
        for (int j = n; j < pad; j++) {
            x[off + j] = Float.NEGATIVE_INFINITY;
        }
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < pad; j += LANES) {
            m = m.max(FloatVector.fromArray(F, x, off + j));
        }
        float max = m.reduceLanes(VectorOperators.MAX); // max is exact in any order
        FloatVector sum = FloatVector.zero(F);
        for (int j = 0; j < pad; j += LANES) {
            FloatVector e = VectorExp.expNonPositive(FloatVector.fromArray(F, x, off + j).sub(max));
            e.intoArray(x, off + j);
            sum = sum.add(e);
        }
        float inv = 1f / sumLanes(sum);
        for (int j = 0; j < pad; j += LANES) {
            FloatVector.fromArray(F, x, off + j).mul(inv).intoArray(x, off + j);
        }
    }

    /** {@link #scoreTiles} on 8-lane vectors: 32 keys per pass instead of 64, the same FMA chain per score. */
    private static void scoreTilesHalves(float[] q, int rowBase, int t, int n, int embd, int off, int hd, float[] kt,
                                         int keyPad, float scale, float[] scores) {
        int q0 = (rowBase + Math.min(t, n - 1)) * embd + off;
        int q1 = (rowBase + Math.min(t + 1, n - 1)) * embd + off;
        int q2 = (rowBase + Math.min(t + 2, n - 1)) * embd + off;
        int q3 = (rowBase + Math.min(t + 3, n - 1)) * embd + off;
        for (int j = 0; j < keyPad; j += VT * HL) {
            FloatVector a00 = FloatVector.zero(H), a01 = a00, a02 = a00, a03 = a00;
            FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
            FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
            FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
            for (int c = 0; c < hd; c++) {
                int kr = c * keyPad + j;
                FloatVector k0 = FloatVector.fromArray(H, kt, kr);
                FloatVector k1 = FloatVector.fromArray(H, kt, kr + HL);
                FloatVector k2 = FloatVector.fromArray(H, kt, kr + 2 * HL);
                FloatVector k3 = FloatVector.fromArray(H, kt, kr + 3 * HL);
                FloatVector b = FloatVector.broadcast(H, q[q0 + c]);
                a00 = k0.fma(b, a00);
                a01 = k1.fma(b, a01);
                a02 = k2.fma(b, a02);
                a03 = k3.fma(b, a03);
                b = FloatVector.broadcast(H, q[q1 + c]);
                a10 = k0.fma(b, a10);
                a11 = k1.fma(b, a11);
                a12 = k2.fma(b, a12);
                a13 = k3.fma(b, a13);
                b = FloatVector.broadcast(H, q[q2 + c]);
                a20 = k0.fma(b, a20);
                a21 = k1.fma(b, a21);
                a22 = k2.fma(b, a22);
                a23 = k3.fma(b, a23);
                b = FloatVector.broadcast(H, q[q3 + c]);
                a30 = k0.fma(b, a30);
                a31 = k1.fma(b, a31);
                a32 = k2.fma(b, a32);
                a33 = k3.fma(b, a33);
            }
            int s = j;
            a00.mul(scale).intoArray(scores, s);
            a01.mul(scale).intoArray(scores, s + HL);
            a02.mul(scale).intoArray(scores, s + 2 * HL);
            a03.mul(scale).intoArray(scores, s + 3 * HL);
            s += keyPad;
            a10.mul(scale).intoArray(scores, s);
            a11.mul(scale).intoArray(scores, s + HL);
            a12.mul(scale).intoArray(scores, s + 2 * HL);
            a13.mul(scale).intoArray(scores, s + 3 * HL);
            s += keyPad;
            a20.mul(scale).intoArray(scores, s);
            a21.mul(scale).intoArray(scores, s + HL);
            a22.mul(scale).intoArray(scores, s + 2 * HL);
            a23.mul(scale).intoArray(scores, s + 3 * HL);
            s += keyPad;
            a30.mul(scale).intoArray(scores, s);
            a31.mul(scale).intoArray(scores, s + HL);
            a32.mul(scale).intoArray(scores, s + 2 * HL);
            a33.mul(scale).intoArray(scores, s + 3 * HL);
        }
    }

    /** {@link #softmax} on 8-lane vectors; the 16 per-lane sums are kept as two halves (same bits). */
    private static void softmaxHalves(float[] x, int off, int n, int pad) {
        for (int j = n; j < pad; j++) {
            x[off + j] = Float.NEGATIVE_INFINITY;
        }
        FloatVector m = FloatVector.broadcast(H, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < pad; j += HL) {
            m = m.max(FloatVector.fromArray(H, x, off + j));
        }
        float max = m.reduceLanes(VectorOperators.MAX);
        FloatVector lo = FloatVector.zero(H);
        FloatVector hi = lo;
        for (int j = 0; j < pad; j += LANES) {
            FloatVector e = VectorExp.expNonPositive(FloatVector.fromArray(H, x, off + j).sub(max));
            e.intoArray(x, off + j);
            lo = lo.add(e);
            e = VectorExp.expNonPositive(FloatVector.fromArray(H, x, off + j + HL).sub(max));
            e.intoArray(x, off + j + HL);
            hi = hi.add(e);
        }
        FloatVector v = lo.add(hi);
        v = v.add(v.rearrange(H_SWAP4));
        v = v.add(v.rearrange(H_SWAP2));
        v = v.add(v.rearrange(H_SWAP1));
        float inv = 1f / v.lane(0);
        for (int j = 0; j < pad; j += HL) {
            FloatVector.fromArray(H, x, off + j).mul(inv).intoArray(x, off + j);
        }
    }

    /** {@link #mixTiles} on 8-lane vectors: 32 channels per pass, the same FMA chain per value. */
    private static void mixTilesHalves(float[] p, int keyPad, int n, float[] vh, int hdPad, float[] mixed) {
        int vectors = hdPad / HL;
        for (int g = 0; g < vectors; g += VT) {
            int c0 = g * HL;
            int c1 = Math.min(g + 1, vectors - 1) * HL;
            int c2 = Math.min(g + 2, vectors - 1) * HL;
            int c3 = Math.min(g + 3, vectors - 1) * HL;
            FloatVector a00 = FloatVector.zero(H), a01 = a00, a02 = a00, a03 = a00;
            FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
            FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
            FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
            for (int j = 0; j < n; j++) {
                int vr = j * hdPad;
                FloatVector v0 = FloatVector.fromArray(H, vh, vr + c0);
                FloatVector v1 = FloatVector.fromArray(H, vh, vr + c1);
                FloatVector v2 = FloatVector.fromArray(H, vh, vr + c2);
                FloatVector v3 = FloatVector.fromArray(H, vh, vr + c3);
                FloatVector b = FloatVector.broadcast(H, p[j]);
                a00 = v0.fma(b, a00);
                a01 = v1.fma(b, a01);
                a02 = v2.fma(b, a02);
                a03 = v3.fma(b, a03);
                b = FloatVector.broadcast(H, p[keyPad + j]);
                a10 = v0.fma(b, a10);
                a11 = v1.fma(b, a11);
                a12 = v2.fma(b, a12);
                a13 = v3.fma(b, a13);
                b = FloatVector.broadcast(H, p[2 * keyPad + j]);
                a20 = v0.fma(b, a20);
                a21 = v1.fma(b, a21);
                a22 = v2.fma(b, a22);
                a23 = v3.fma(b, a23);
                b = FloatVector.broadcast(H, p[3 * keyPad + j]);
                a30 = v0.fma(b, a30);
                a31 = v1.fma(b, a31);
                a32 = v2.fma(b, a32);
                a33 = v3.fma(b, a33);
            }
            int m = 0;
            a00.intoArray(mixed, m + c0);
            a01.intoArray(mixed, m + c1);
            a02.intoArray(mixed, m + c2);
            a03.intoArray(mixed, m + c3);
            m += hdPad;
            a10.intoArray(mixed, m + c0);
            a11.intoArray(mixed, m + c1);
            a12.intoArray(mixed, m + c2);
            a13.intoArray(mixed, m + c3);
            m += hdPad;
            a20.intoArray(mixed, m + c0);
            a21.intoArray(mixed, m + c1);
            a22.intoArray(mixed, m + c2);
            a23.intoArray(mixed, m + c3);
            m += hdPad;
            a30.intoArray(mixed, m + c0);
            a31.intoArray(mixed, m + c1);
            a32.intoArray(mixed, m + c2);
            a33.intoArray(mixed, m + c3);
        }
    }

    private static float sumLanes(FloatVector v) {
        v = v.add(v.rearrange(SWAP8));
        v = v.add(v.rearrange(SWAP4));
        v = v.add(v.rearrange(SWAP2));
        v = v.add(v.rearrange(SWAP1));
        return v.lane(0);
    }

    /** mixed[i][c] = Σ_j p[i][j] · v[j][c] over the n keys in order, for the QT query rows of p. */
    private static void mixTiles(float[] p, int keyPad, int n, float[] vh, int hdPad, float[] mixed) {
        int vectors = hdPad / LANES;
        for (int g = 0; g < vectors; g += VT) {
            // a head size that is not a multiple of VT vectors repeats its last vector (stored twice, same value)
            int c0 = g * LANES;
            int c1 = Math.min(g + 1, vectors - 1) * LANES;
            int c2 = Math.min(g + 2, vectors - 1) * LANES;
            int c3 = Math.min(g + 3, vectors - 1) * LANES;
            FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
            FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
            FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
            FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
            for (int j = 0; j < n; j++) {
                int vr = j * hdPad;
                FloatVector v0 = FloatVector.fromArray(F, vh, vr + c0);
                FloatVector v1 = FloatVector.fromArray(F, vh, vr + c1);
                FloatVector v2 = FloatVector.fromArray(F, vh, vr + c2);
                FloatVector v3 = FloatVector.fromArray(F, vh, vr + c3);
                FloatVector b = FloatVector.broadcast(F, p[j]);
                a00 = v0.fma(b, a00);
                a01 = v1.fma(b, a01);
                a02 = v2.fma(b, a02);
                a03 = v3.fma(b, a03);
                b = FloatVector.broadcast(F, p[keyPad + j]);
                a10 = v0.fma(b, a10);
                a11 = v1.fma(b, a11);
                a12 = v2.fma(b, a12);
                a13 = v3.fma(b, a13);
                b = FloatVector.broadcast(F, p[2 * keyPad + j]);
                a20 = v0.fma(b, a20);
                a21 = v1.fma(b, a21);
                a22 = v2.fma(b, a22);
                a23 = v3.fma(b, a23);
                b = FloatVector.broadcast(F, p[3 * keyPad + j]);
                a30 = v0.fma(b, a30);
                a31 = v1.fma(b, a31);
                a32 = v2.fma(b, a32);
                a33 = v3.fma(b, a33);
            }
            int m = 0;
            a00.intoArray(mixed, m + c0);
            a01.intoArray(mixed, m + c1);
            a02.intoArray(mixed, m + c2);
            a03.intoArray(mixed, m + c3);
            m += hdPad;
            a10.intoArray(mixed, m + c0);
            a11.intoArray(mixed, m + c1);
            a12.intoArray(mixed, m + c2);
            a13.intoArray(mixed, m + c3);
            m += hdPad;
            a20.intoArray(mixed, m + c0);
            a21.intoArray(mixed, m + c1);
            a22.intoArray(mixed, m + c2);
            a23.intoArray(mixed, m + c3);
            m += hdPad;
            a30.intoArray(mixed, m + c0);
            a31.intoArray(mixed, m + c1);
            a32.intoArray(mixed, m + c2);
            a33.intoArray(mixed, m + c3);
        }
    }
}
