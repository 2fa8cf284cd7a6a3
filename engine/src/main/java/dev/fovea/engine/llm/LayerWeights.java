package dev.fovea.engine.llm;

import dev.fovea.engine.tensor.WeightMatrix;

/** The weights of one transformer block. Biases are null where the architecture has none. */
record LayerWeights(float[] attnNorm, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, float[] bq, float[] bk,
                    float[] bv, WeightMatrix wo, float[] ffnNorm, WeightMatrix wGate, WeightMatrix wUp,
                    WeightMatrix wDown) {
}
