package dev.fovea.engine.adapter;

import dev.fovea.engine.vision.FeatureMap;

/**
 * Brings a feature grid to another grid size as PyTorch's {@code adaptive_avg_pool2d} does: output cell
 * {@code (i, j)} averages input rows {@code ⌊i·H/h⌋ .. ⌈(i+1)·H/h⌉ − 1} and columns
 * {@code ⌊j·W/w⌋ .. ⌈(j+1)·W/w⌉ − 1}. Shrinking averages whole windows (exact r×r means when the sizes divide);
 * growing repeats cells (nearest-neighbour), so encoders of different patch grids line up cell for cell.
 */
final class AdaptiveGridPooling {
    private AdaptiveGridPooling() {
    }

    static FeatureMap pool(FeatureMap x, int rows, int cols) {
        int gh = x.gridHeight(), gw = x.gridWidth(), d = x.dim();
        if (gh == rows && gw == cols) {
            return x;
        }
        if (x.tokens() == 0) {
            throw new IllegalArgumentException("cannot pool an empty feature grid");
        }
        float[] src = x.data();
        float[] out = new float[Math.multiplyExact(Math.multiplyExact(rows, cols), d)];
        double[] acc = new double[d];
        for (int i = 0; i < rows; i++) {
            int r0 = (int) ((long) i * gh / rows), r1 = (int) (((long) (i + 1) * gh + rows - 1) / rows);
            for (int j = 0; j < cols; j++) {
                int c0 = (int) ((long) j * gw / cols), c1 = (int) (((long) (j + 1) * gw + cols - 1) / cols);
                java.util.Arrays.fill(acc, 0);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        int off = (r * gw + c) * d;
                        for (int k = 0; k < d; k++) {
                            acc[k] += src[off + k];
                        }
                    }
                }
                int n = (r1 - r0) * (c1 - c0);
                int dst = (i * cols + j) * d;
                for (int k = 0; k < d; k++) {
                    out[dst + k] = (float) (acc[k] / n);
                }
            }
        }
        return new FeatureMap(out, rows * cols, d, rows, cols);
    }
}
