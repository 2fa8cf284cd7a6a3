package dev.fovea.engine.ops;

/** Element-wise activation functions. */
public final class Activations {
    private static final float SQRT_2_OVER_PI = 0.7978845608028654f;
    private static final float GELU_COEF_A = 0.044715f;

    private Activations() {
    }

    /** SiLU(x) = x·σ(x). */
    public static float silu(float x) {
        return x / (1.0f + (float) Math.exp(-x));
    }

    /** gate[i] = SiLU(gate[i])·up[i] (SwiGLU), in place over the first n values. */
    public static void swiglu(float[] gate, float[] up, int n) {
        for (int i = 0; i < n; i++) {
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
