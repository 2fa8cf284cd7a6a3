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
