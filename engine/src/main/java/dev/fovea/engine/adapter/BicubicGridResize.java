package dev.fovea.engine.adapter;

/**
 * Resizes a per-cell table over a 2-D grid as PyTorch's {@code F.interpolate(mode="bicubic",
 * align_corners=False)} does, which is how Qwen-VL fits its positional table to a different patch grid: the
 * source coordinate of output cell {@code o} is {@code (o + 0.5)·in/out − 0.5} (not clamped), the four taps
 * around it are weighted by Keys' cubic convolution kernel with {@code A = −0.75}, and tap indices outside the
 * grid are clamped to the border.
 */
final class BicubicGridResize {
    private static final double A = -0.75;

    private BicubicGridResize() {
    }

    /** {@code table} is [inRows·inCols][channels]; returns [outRows·outCols][channels]. */
    static float[] resize(float[] table, int inRows, int inCols, int channels, int outRows, int outCols) {
        if ((long) inRows * inCols * channels != table.length) {
            throw new IllegalArgumentException("table of " + table.length + " is not " + inRows + "×" + inCols + "×" + channels);
        }
        if (inRows == outRows && inCols == outCols) {
            return table.clone();
        }
        // separable: along columns first, then rows (the kernel is a product, so the order only affects rounding)
        double[] wide = new double[inRows * outCols * channels];
        for (int oc = 0; oc < outCols; oc++) {
            Taps t = taps(oc, inCols, outCols);
            for (int r = 0; r < inRows; r++) {
                for (int k = 0; k < 4; k++) {
                    int src = (r * inCols + t.index[k]) * channels;
                    int dst = (r * outCols + oc) * channels;
                    for (int ch = 0; ch < channels; ch++) {
                        wide[dst + ch] += t.weight[k] * table[src + ch];
                    }
                }
            }
        }
        float[] out = new float[Math.multiplyExact(outRows * outCols, channels)];
        for (int or = 0; or < outRows; or++) {
            Taps t = taps(or, inRows, outRows);
            for (int c = 0; c < outCols; c++) {
                int dst = (or * outCols + c) * channels;
                for (int ch = 0; ch < channels; ch++) {
                    double s = 0;
                    for (int k = 0; k < 4; k++) {
                        s += t.weight[k] * wide[(t.index[k] * outCols + c) * channels + ch];
                    }
                    out[dst + ch] = (float) s;
                }
            }
        }
        return out;
    }

    private record Taps(int[] index, double[] weight) {
    }

    private static Taps taps(int o, int in, int out) {
        double src = (o + 0.5) * in / out - 0.5;
        int base = (int) Math.floor(src);
        double t = src - base;
        int[] index = new int[4];
        double[] weight = {kernel(t + 1), kernel(t), kernel(1 - t), kernel(2 - t)};
        for (int k = 0; k < 4; k++) {
            index[k] = Math.clamp(base - 1 + k, 0, in - 1);
        }
        return new Taps(index, weight);
    }

    private static double kernel(double x) {
        double ax = Math.abs(x);
        if (ax <= 1) {
            return ((A + 2) * ax - (A + 3)) * ax * ax + 1;
        }
        if (ax < 2) {
            return ((A * ax - 5 * A) * ax + 8 * A) * ax - 4 * A;
        }
        return 0;
    }
}
