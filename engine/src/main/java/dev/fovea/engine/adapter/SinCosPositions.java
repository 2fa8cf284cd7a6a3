package dev.fovea.engine.adapter;

/**
 * Fixed 2-D sine-cosine positional embeddings as Qwen-VL's resampler (after MAE) builds them, generalized to
 * a {@code rows × cols} grid. For the cell at (row, col) the first half of the {@code dim} channels encode the
 * column and the second half the row (MAE's meshgrid puts the width coordinate first); each half is
 * {@code [sin(p·ω_0..ω_{k-1}), cos(p·ω_0..ω_{k-1})]} with {@code k = dim/4} and {@code ω_i = 10000^(−i/k)}.
 */
public final class SinCosPositions {
    private SinCosPositions() {
    }

    /** The table [rows·cols][dim], row-major over the grid. */
    public static float[] grid(int dim, int rows, int cols) {
        if (dim <= 0 || dim % 4 != 0) {
            throw new IllegalArgumentException("2-D sin-cos positions need a dim divisible by 4, got " + dim);
        }
        int k = dim / 4;
        double[] omega = new double[k];
        for (int i = 0; i < k; i++) {
            omega[i] = 1.0 / Math.pow(10000.0, (double) i / k);
        }
        float[] table = new float[Math.multiplyExact(Math.multiplyExact(rows, cols), dim)];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int off = (r * cols + c) * dim;
                fill(table, off, c, omega);
                fill(table, off + dim / 2, r, omega);
            }
        }
        return table;
    }

    private static void fill(float[] table, int off, int pos, double[] omega) {
        int k = omega.length;
        for (int i = 0; i < k; i++) {
            double a = pos * omega[i];
            table[off + i] = (float) Math.sin(a);
            table[off + k + i] = (float) Math.cos(a);
        }
    }
}
