package dev.fovea.engine.adapter;

import dev.fovea.engine.layers.DenseLayer;
import dev.fovea.engine.ops.Activations;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.FeatureMap;
import java.util.List;

/**
 * Qwen2-VL's patch merger ({@code clip.projector_type = qwen2vl_merger}): every four consecutive feature rows — one
 * 2×2 block of patches, as the tower orders them — are joined into one vector, then {@code mm.0} → GELU →
 * {@code mm.2} makes one LLM embedding. The output grid is the patch grid halved, in raster order.
 */
public final class Qwen2VlMerger implements Projector {
    public static final String KIND = "qwen2vl_merger";
    private static final int JOINED = 4;

    private final DenseLayer first;
    private final DenseLayer second;

    public Qwen2VlMerger(DenseLayer first, DenseLayer second) {
        if (first.inputDim() % JOINED != 0 || second.inputDim() != first.outputDim()) {
            throw new IllegalArgumentException("merger layers do not fit: " + first.inputDim() + " → "
                    + first.outputDim() + ", " + second.inputDim() + " → " + second.outputDim());
        }
        this.first = first;
        this.second = second;
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** Width of one feature row (a quarter of the first layer's input). */
    public int inputDim() {
        return first.inputDim() / JOINED;
    }

    @Override
    public int outputDim() {
        return second.outputDim();
    }

    @Override
    public boolean gridPositions() {
        return true;
    }

    @Override
    public int outputTokens(List<Integer> inputTokens) {
        return inputTokens.getFirst() / JOINED;
    }

    @Override
    public FeatureMap project(List<FeatureMap> inputs, Parallel pool) {
        FeatureMap in = Projector.singleInput(KIND, inputs, inputDim());
        if (in.gridHeight() % 2 != 0 || in.gridWidth() % 2 != 0 || in.tokens() != in.gridHeight() * in.gridWidth()) {
            throw new IllegalArgumentException("the merger needs an even patch grid in 2×2-block order, got "
                    + in.gridHeight() + "×" + in.gridWidth() + " for " + in.tokens() + " rows");
        }
        int tokens = in.tokens() / JOINED;
        // four consecutive rows are already one joined row in memory: [top-left | top-right | bottom-left | bottom-right]
        float[] h = first.apply(in.data(), tokens, pool);
        Activations.geluInPlace(h, h.length, false, pool);
        return new FeatureMap(second.apply(h, tokens, pool), tokens, outputDim(), in.gridHeight() / 2,
                in.gridWidth() / 2);
    }
}
