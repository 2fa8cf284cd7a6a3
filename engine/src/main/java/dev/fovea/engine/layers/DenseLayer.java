package dev.fovea.engine.layers;

import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.tensor.WeightMatrix;

/** y = W·x (+ b) for each row of a batch: W maps {@code inputDim()} to {@code outputDim()}. */
public record DenseLayer(WeightMatrix weight, float[] bias) {
    public DenseLayer {
        if (bias != null && bias.length != weight.rows()) {
            throw new IllegalArgumentException("bias of " + bias.length + " for a matrix of " + weight.rows() + " rows");
        }
    }

    public int inputDim() {
        return weight.cols();
    }

    public int outputDim() {
        return weight.rows();
    }

    /** {@code x} is [n][inputDim]; returns [n][outputDim]. */
    public float[] apply(float[] x, int n, Parallel pool) {
        float[] out = new float[Math.multiplyExact(n, outputDim())];
        weight.matMul(x, n, out, pool);
        if (bias != null) {
            // split over the pool: one add per value, so the split does not change the bits
            int d = outputDim();
            pool.forRange(n, (from, to) -> {
                for (int t = from; t < to; t++) {
                    for (int i = 0; i < d; i++) {
                        out[t * d + i] += bias[i];
                    }
                }
            });
        }
        return out;
    }
}
