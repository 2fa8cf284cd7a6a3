package dev.fovea.engine.layers;

import dev.fovea.engine.ops.Norms;
import dev.fovea.engine.tensor.Parallel;

/** LayerNorm parameters (bias may be null). */
public record LayerNormWeights(float[] weight, float[] bias, float eps) {
    public LayerNormWeights {
        if (bias != null && bias.length != weight.length) {
            throw new IllegalArgumentException("layer norm bias of " + bias.length + " for weight of " + weight.length);
        }
    }

    public int dim() {
        return weight.length;
    }

    /** Normalizes each of the {@code rows} rows of {@code x} into a new array. */
    public float[] apply(float[] x, int rows) {
        float[] out = new float[x.length];
        Norms.layerNorm(x, out, rows, weight, bias, eps);
        return out;
    }

    /** {@link #apply(float[], int)} with the rows split over {@code pool} (same bits). */
    public float[] apply(float[] x, int rows, Parallel pool) {
        float[] out = new float[x.length];
        pool.forRange(rows, (from, to) -> Norms.layerNorm(x, out, from, to, weight, bias, eps));
        return out;
    }
}
