package dev.fovea.engine.llm;

import dev.fovea.engine.tensor.WeightMatrix;

/**
 * The weights of one transformer block. Biases are null where the architecture has none; phi2's block has no
 * {@code ffnNorm} and no {@code wGate} (null) and a bias on its norm and on every projection.
 */
record LayerWeights(float[] attnNorm, float[] attnNormBias, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv,
                    float[] bq, float[] bk, float[] bv, WeightMatrix wo, float[] bo, float[] ffnNorm,
                    WeightMatrix wGate, WeightMatrix wUp, float[] bUp, WeightMatrix wDown, float[] bDown) {
}
