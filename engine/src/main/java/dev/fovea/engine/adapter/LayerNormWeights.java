package dev.fovea.engine.adapter;

import dev.fovea.engine.ops.Norms;

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
}
