package dev.fovea.engine.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Numerically stable softmax, vectorized: e^x by {@link VectorExp}, the sum in double by four accumulators (element
 * i to accumulator i mod 4), so the bits depend neither on the vector width nor on where the row starts.
 */
public final class Softmax {
    private Softmax() {
    }

    /** Softmax of x[off, off+n) in place. */
    public static void inPlace(float[] x, int off, int n) {
        int lanes = VectorExp.F.length();
        int end = off + n;
        int bound = off + VectorExp.F.loopBound(n);
        float max = Float.NEGATIVE_INFINITY;
        int i = off;
        if (bound > off) {
            FloatVector m = FloatVector.fromArray(VectorExp.F, x, off);
            for (i = off + lanes; i < bound; i += lanes) {
                m = m.max(FloatVector.fromArray(VectorExp.F, x, i));
            }
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; i < end; i++) {
            max = Math.max(max, x[i]);
        }
        for (i = off; i < bound; i += lanes) {
            VectorExp.expNonPositive(FloatVector.fromArray(VectorExp.F, x, i).sub(max)).intoArray(x, i);
        }
        for (; i < end; i++) {
            x[i] = VectorExp.expNonPositive(x[i] - max);
        }
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        for (i = 0; i + 4 <= n; i += 4) {
            s0 += x[off + i];
            s1 += x[off + i + 1];
            s2 += x[off + i + 2];
            s3 += x[off + i + 3];
        }
        for (; i < n; i++) {
            s0 += x[off + i];
        }
        float inv = (float) (1.0 / ((s0 + s1) + (s2 + s3)));
        for (i = off; i < bound; i += lanes) {
            FloatVector.fromArray(VectorExp.F, x, i).mul(inv).intoArray(x, i);
        }
        for (; i < end; i++) {
            x[i] *= inv;
        }
    }
}
