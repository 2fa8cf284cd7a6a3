package dev.fovea.engine.adapter;

import dev.fovea.engine.layers.DenseLayer;
import dev.fovea.engine.layers.LayerNormWeights;
import dev.fovea.engine.ops.Activations;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.FeatureMap;
import java.util.List;

/**
 * The projector of LLaVA-1.6 34B-style (Yi) files, {@code mlp_norm} in llama.cpp: Linear ({@code mm.0}) → LayerNorm
 * ({@code mm.1}) → GELU → Linear ({@code mm.3}) → LayerNorm ({@code mm.4}), the norms at the tower's epsilon. Such
 * files say {@code clip.projector_type = mlp}; the {@code mm.3} tensor tells them apart, as llama.cpp does. The patch
 * grid is kept.
 */
public final class MlpNormProjector implements Projector {
    public static final String KIND = "mlp_norm";

    private final DenseLayer first;
    private final LayerNormWeights firstNorm;
    private final DenseLayer second;
    private final LayerNormWeights secondNorm;

    public MlpNormProjector(DenseLayer first, LayerNormWeights firstNorm, DenseLayer second,
                            LayerNormWeights secondNorm) {
        if (firstNorm.dim() != first.outputDim() || second.inputDim() != first.outputDim()
                || secondNorm.dim() != second.outputDim()) {
            throw new IllegalArgumentException("mlp_norm layers do not chain: " + first.inputDim() + " → "
                    + first.outputDim() + " (norm " + firstNorm.dim() + ") → " + second.inputDim() + " → "
                    + second.outputDim() + " (norm " + secondNorm.dim() + ")");
        }
        this.first = first;
        this.firstNorm = firstNorm;
        this.second = second;
        this.secondNorm = secondNorm;
    }

    @Override
    public String kind() {
        return KIND;
    }

    public int inputDim() {
        return first.inputDim();
    }

    @Override
    public int outputDim() {
        return second.outputDim();
    }

    @Override
    public int outputTokens(List<Integer> inputTokens) {
        return inputTokens.getFirst();
    }

    @Override
    public FeatureMap project(List<FeatureMap> inputs, Parallel pool) {
        FeatureMap in = Projector.singleInput(KIND, inputs, inputDim());
        int n = in.tokens();
        float[] h = firstNorm.apply(first.apply(in.data(), n, pool), n, pool);
        Activations.geluInPlace(h, h.length, false, pool);
        h = secondNorm.apply(second.apply(h, n, pool), n, pool);
        return new FeatureMap(h, n, outputDim(), in.gridHeight(), in.gridWidth());
    }
}
