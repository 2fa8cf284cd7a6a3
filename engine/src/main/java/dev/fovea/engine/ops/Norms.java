package dev.fovea.engine.ops;

/** Normalizations over rows, computed as ggml does (sums in double, scale applied in float). */
public final class Norms {
    private Norms() {
    }

    /** RMSNorm of each row of {@code x} into {@code out}, times {@code weight}: x / sqrt(mean(x²) + eps) · w. */
    public static void rmsNorm(float[] x, float[] out, int rows, float[] weight, float eps) {
        int d = weight.length;
        for (int r = 0; r < rows; r++) {
            int off = r * d;
            double sum = 0;
            for (int i = 0; i < d; i++) {
                float v = x[off + i];
                sum += v * v;
            }
            float scale = (float) (1.0 / Math.sqrt((float) (sum / d) + eps));
            for (int i = 0; i < d; i++) {
                out[off + i] = x[off + i] * scale * weight[i];
            }
        }
    }

    /** LayerNorm of each row of {@code x} into {@code out}: (x − mean) / sqrt(var + eps) · w + b (b may be null). */
    public static void layerNorm(float[] x, float[] out, int rows, float[] weight, float[] bias, float eps) {
        layerNorm(x, out, 0, rows, weight, bias, eps);
    }

    /** {@link #layerNorm} of rows [from, to) only (each row on its own, so any split gives the same bits). */
    public static void layerNorm(float[] x, float[] out, int from, int to, float[] weight, float[] bias, float eps) {
        int d = weight.length;
        for (int r = from; r < to; r++) {
            int off = r * d;
            double sum = 0;
            for (int i = 0; i < d; i++) {
                sum += x[off + i];
            }
            float mean = (float) (sum / d);
            double var = 0;
            for (int i = 0; i < d; i++) {
                float c = x[off + i] - mean;
                var += c * c;
            }
            float scale = (float) (1.0 / Math.sqrt((float) (var / d) + eps));
            for (int i = 0; i < d; i++) {
                float v = (x[off + i] - mean) * scale * weight[i];
                out[off + i] = bias == null ? v : v + bias[i];
            }
        }
    }
}
