package dev.fovea.engine.adapter;

import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.FeatureMap;
import java.util.List;

/**
 * Maps vision-encoder features into the language model's embedding space. Single-encoder projectors take
 * exactly one input; fusion projectors take one per encoder, in the order their configuration names them.
 */
public interface Projector {

    /** The adapter kind, as named in pipeline configs and {@code clip.projector_type}. */
    String kind();

    /** Width of the output embeddings (the LLM's n_embd). */
    int outputDim();

    /** Output rows for inputs of the given token counts. */
    int outputTokens(List<Integer> inputTokens);

    FeatureMap project(List<FeatureMap> inputs, Parallel pool);

    /** The one encoder's features a single-encoder projector takes, checked to be {@code inputDim} wide. */
    static FeatureMap singleInput(String kind, List<FeatureMap> inputs, int inputDim) {
        if (inputs.size() != 1) {
            throw new IllegalArgumentException(kind + " projector takes one encoder's features, got " + inputs.size());
        }
        FeatureMap in = inputs.getFirst();
        if (in.dim() != inputDim) {
            throw new IllegalArgumentException("features of width " + in.dim() + ", the " + kind + " projector takes "
                    + inputDim);
        }
        return in;
    }

    /**
     * Whether the output's grid positions it in the LLM (Qwen2-VL's M-RoPE), so the grid must travel with the
     * embeddings; otherwise they are a plain run of rows.
     */
    default boolean gridPositions() {
        return false;
    }
}
