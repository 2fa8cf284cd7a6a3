package dev.fovea.engine.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense float kernels on the Vector API for the small, activation-side work (attention dots, residual adds).
 * Reductions use a fixed lane layout so the same inputs always give the same bits.
 */
public final class VectorMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorMath() {
    }

    /** Shuffles for a pairwise lane sum: halves, then quarters, … */
    private static final VectorShuffle<Float>[] HALVES = halves();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] halves() {
        int steps = Integer.numberOfTrailingZeros(S.length());
        VectorShuffle<Float>[] out = new VectorShuffle[steps];
        for (int k = 0; k < steps; k++) {
            int half = S.length() >> (k + 1);
            out[k] = VectorShuffle.fromOp(S, i -> i ^ half);
        }
        return out;
    }

    /**
     * Lane sum in a fixed pairwise order. {@code reduceLanes} leaves the float order unspecified, and it does differ
     * between interpreted and compiled code, which would make results depend on JIT warm-up (and so differ between
     * processes): the single-process and distributed paths must agree bit for bit.
     */
    public static float sumLanes(FloatVector v) {
        for (VectorShuffle<Float> s : HALVES) {
            v = v.add(v.rearrange(s));
        }
        return v.lane(0);
    }

    /** Σ a[aOff+i]·b[bOff+i] for i in [0, n). */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        }
        float sum = sumLanes(acc);
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /**
     * out[o + k] = {@link #dot}(a, aOff, b, bOff + k·stride, n) · scale for k = 0 … 3, each with exactly dot's
     * arithmetic (one FMA chain over the lanes, the fixed lane sum, the scalar tail): attention scores four keys at a
     * time, so that four independent chains keep the FMA units busy where one key's chain waits on its own latency.
     */
    public static void dots4(float[] a, int aOff, float[] b, int bOff, int stride, int n, float scale, float[] out,
                             int o) {
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        int b1 = bOff + stride;
        int b2 = b1 + stride;
        int b3 = b2 + stride;
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector x = FloatVector.fromArray(S, a, aOff + i);
            acc0 = x.fma(FloatVector.fromArray(S, b, bOff + i), acc0);
            acc1 = x.fma(FloatVector.fromArray(S, b, b1 + i), acc1);
            acc2 = x.fma(FloatVector.fromArray(S, b, b2 + i), acc2);
            acc3 = x.fma(FloatVector.fromArray(S, b, b3 + i), acc3);
        }
        for (VectorShuffle<Float> s : HALVES) {
            acc0 = acc0.add(acc0.rearrange(s));
            acc1 = acc1.add(acc1.rearrange(s));
            acc2 = acc2.add(acc2.rearrange(s));
            acc3 = acc3.add(acc3.rearrange(s));
        }
        float s0 = acc0.lane(0);
        float s1 = acc1.lane(0);
        float s2 = acc2.lane(0);
        float s3 = acc3.lane(0);
        for (; i < n; i++) {
            s0 += a[aOff + i] * b[bOff + i];
            s1 += a[aOff + i] * b[b1 + i];
            s2 += a[aOff + i] * b[b2 + i];
            s3 += a[aOff + i] * b[b3 + i];
        }
        out[o] = s0 * scale;
        out[o + 1] = s1 * scale;
        out[o + 2] = s2 * scale;
        out[o + 3] = s3 * scale;
    }

    /**
     * y[yOff + i] += Σ_j w[wOff + j] · x[xOff + j·stride + i] for i in [0, n), j in [0, m): {@link #axpy} m times,
     * element by element the same operations in the same j order (so the same bits), with up to four vectors of y
     * held in registers across all j instead of loaded and stored per j (attention's weighted sum of values).
     */
    public static void weightedSum(float[] w, int wOff, int m, float[] x, int xOff, int stride, float[] y, int yOff,
                                   int n) {
        int lanes = S.length();
        int bound = S.loopBound(n);
        int i = 0;
        for (; i + 4 * lanes <= bound; i += 4 * lanes) {
            FloatVector y0 = FloatVector.fromArray(S, y, yOff + i);
            FloatVector y1 = FloatVector.fromArray(S, y, yOff + i + lanes);
            FloatVector y2 = FloatVector.fromArray(S, y, yOff + i + 2 * lanes);
            FloatVector y3 = FloatVector.fromArray(S, y, yOff + i + 3 * lanes);
            for (int j = 0, xo = xOff + i; j < m; j++, xo += stride) {
                FloatVector va = FloatVector.broadcast(S, w[wOff + j]);
                y0 = FloatVector.fromArray(S, x, xo).fma(va, y0);
                y1 = FloatVector.fromArray(S, x, xo + lanes).fma(va, y1);
                y2 = FloatVector.fromArray(S, x, xo + 2 * lanes).fma(va, y2);
                y3 = FloatVector.fromArray(S, x, xo + 3 * lanes).fma(va, y3);
            }
            y0.intoArray(y, yOff + i);
            y1.intoArray(y, yOff + i + lanes);
            y2.intoArray(y, yOff + i + 2 * lanes);
            y3.intoArray(y, yOff + i + 3 * lanes);
        }
        for (; i < bound; i += lanes) {
            FloatVector y0 = FloatVector.fromArray(S, y, yOff + i);
            for (int j = 0, xo = xOff + i; j < m; j++, xo += stride) {
                y0 = FloatVector.fromArray(S, x, xo).fma(FloatVector.broadcast(S, w[wOff + j]), y0);
            }
            y0.intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            float acc = y[yOff + i];
            for (int j = 0; j < m; j++) {
                acc += w[wOff + j] * x[xOff + j * stride + i];
            }
            y[yOff + i] = acc;
        }
    }

    /** y[yOff+i] += alpha·x[xOff+i]. */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector va = FloatVector.broadcast(S, alpha);
        for (; i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).fma(va, FloatVector.fromArray(S, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    /** y[i] += x[i] over the whole arrays. */
    public static void addInPlace(float[] y, float[] x) {
        int n = Math.min(x.length, y.length);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector.fromArray(S, y, i).add(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        }
        for (; i < n; i++) {
            y[i] += x[i];
        }
    }

    /** Adds {@code bias} to each of the {@code rows} rows of {@code x} (row length = bias.length). */
    public static void addBias(float[] x, int rows, float[] bias) {
        int d = bias.length;
        for (int r = 0; r < rows; r++) {
            int off = r * d;
            int i = 0;
            int bound = S.loopBound(d);
            for (; i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, off + i).add(FloatVector.fromArray(S, bias, i)).intoArray(x, off + i);
            }
            for (; i < d; i++) {
                x[off + i] += bias[i];
            }
        }
    }
}
