package dev.fovea.engine.adapter;

import dev.fovea.engine.layers.DenseLayer;
import dev.fovea.engine.ops.Activations;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.FeatureMap;
import java.util.List;

/**
 * LLaVA's projectors: {@code mlp} = Linear → GELU → Linear (LLaVA-1.5, tensors {@code mm.0}, {@code mm.2}), or
 * {@code linear} = one Linear ({@code mm.0}; BLIP's simple linear mapping, LLaVA v1). The patch grid is kept.
 */
public final class MlpProjector implements Projector {
    public static final String MLP = "mlp";
    public static final String LINEAR = "linear";

    private final DenseLayer first;
    private final DenseLayer second;

    /** {@code second} null makes the single linear map. */
    public MlpProjector(DenseLayer first, DenseLayer second) {
        if (second != null && second.inputDim() != first.outputDim()) {
            throw new IllegalArgumentException("projector layers do not chain: " + first.outputDim() + " → "
                    + second.inputDim());
        }
        this.first = first;
        this.second = second;
    }

    @Override
    public String kind() {
        return second == null ? LINEAR : MLP;
    }

    public int inputDim() {
        return first.inputDim();
    }

    @Override
    public int outputDim() {
        return second == null ? first.outputDim() : second.outputDim();
    }

    @Override
    public int outputTokens(List<Integer> inputTokens) {
        return inputTokens.getFirst();
    }

    @Override
    public FeatureMap project(List<FeatureMap> inputs, Parallel pool) {
        FeatureMap in = Projector.singleInput(kind(), inputs, inputDim());
        float[] h = first.apply(in.data(), in.tokens(), pool);
        if (second != null) {
            Activations.geluInPlace(h, h.length, false, pool);
            h = second.apply(h, in.tokens(), pool);
        }
        return new FeatureMap(h, in.tokens(), outputDim(), in.gridHeight(), in.gridWidth());
    }
}
