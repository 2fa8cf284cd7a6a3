package dev.fovea.engine.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Element-wise activation functions. */
public final class Activations {
    private static final float SQRT_2_OVER_PI = 0.7978845608028654f;
    private static final float GELU_COEF_A = 0.044715f;

    /**
     * GELU of every F16 value, rounded to F16: ggml evaluates GELU through this table (x rounded to F16, looked up,
     * widened back), so using it reproduces llama.cpp's activations — and a lookup is far cheaper than tanh.
     */
    private static final short[] GELU_F16 = new short[1 << 16];

    static {
        for (int i = 0; i < GELU_F16.length; i++) {
            GELU_F16[i] = Float.floatToFloat16(gelu(Float.float16ToFloat((short) i)));
        }
    }

    private Activations() {
    }

    /** GELU as ggml computes it: 0 below −10, identity above 10, else through the F16 table. */
    public static float geluTable(float x) {
        if (x <= -10f) {
            return 0f;
        }
        if (x >= 10f) {
            return x;
        }
        return Float.float16ToFloat(GELU_F16[Float.floatToFloat16(x) & 0xFFFF]);
    }

    /** {@link #geluTable} (or quick GELU) over x[0, n), split over the pool. */
    public static void geluInPlace(float[] x, int n, boolean quick, dev.fovea.engine.tensor.Parallel pool) {
        int chunks = Math.max(1, Math.min(pool.threads() * 4, n / 4096));
        pool.forRange(chunks, (from, to) -> {
            int a = (int) ((long) n * from / chunks);
            int b = (int) ((long) n * to / chunks);
            for (int i = a; i < b; i++) {
                x[i] = quick ? quickGelu(x[i]) : geluTable(x[i]);
            }
        });
    }

    /**
     * SiLU(x) = x·σ(x), σ through e = e^−|x| ({@link VectorExp}): 1/(1 + e) for x ≥ 0, e/(1 + e) below — the same bits
     * as each lane of {@link #swiglu}.
     */
    public static float silu(float x) {
        float e = VectorExp.expNonPositive(-Math.abs(x));
        return x * ((x >= 0 ? 1f : e) / (e + 1f));
    }

    /** gate[i] = SiLU(gate[i])·up[i] (SwiGLU), in place over the first n values. */
    public static void swiglu(float[] gate, float[] up, int n) {
        swiglu(gate, up, 0, n);
    }

    /** As {@link #swiglu(float[], float[], int)}, split over the pool (one exp per element adds up). */
    public static void swiglu(float[] gate, float[] up, int n, dev.fovea.engine.tensor.Parallel pool) {
        int chunks = Math.max(1, Math.min(pool.threads() * 4, n / 2048));
        pool.forRange(chunks, (from, to) -> swiglu(gate, up, (int) ((long) n * from / chunks),
                (int) ((long) n * to / chunks)));
    }

    private static void swiglu(float[] gate, float[] up, int from, int to) {
        int i = from;
        for (int bound = from + VectorExp.F.loopBound(to - from); i < bound; i += VectorExp.F.length()) {
            FloatVector g = FloatVector.fromArray(VectorExp.F, gate, i);
            FloatVector e = VectorExp.expNonPositive(g.abs().neg());
            FloatVector sigma = e.blend(1f, g.compare(VectorOperators.GE, 0f)).div(e.add(1f));
            g.mul(sigma).mul(FloatVector.fromArray(VectorExp.F, up, i)).intoArray(gate, i);
        }
        for (; i < to; i++) {
            gate[i] = silu(gate[i]) * up[i];
        }
    }

    /** GELU, tanh approximation. */
    public static float gelu(float x) {
        return 0.5f * x * (1.0f + (float) Math.tanh(SQRT_2_OVER_PI * x * (1.0f + GELU_COEF_A * x * x)));
    }

    /** "Quick GELU": x·σ(1.702x). */
    public static float quickGelu(float x) {
        return x / (1.0f + (float) Math.exp(-1.702f * x));
    }
}
