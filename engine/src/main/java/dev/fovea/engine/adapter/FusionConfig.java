package dev.fovea.engine.adapter;

import java.util.List;

/**
 * Shape of a SPHINX-style fusion adapter.
 *
 * @param inputDims        feature width of each encoder, in input order
 * @param gridRows         common token grid every encoder's features are pooled to
 * @param gridCols         see {@code gridRows}
 * @param outputDim        width of the output embeddings (the LLM's n_embd)
 * @param eps              epsilon of the layer norm after the linear map
 * @param queryBranchInput index of the input that also feeds a resampler whose tokens are appended, or −1 for none
 */
public record FusionConfig(List<Integer> inputDims, int gridRows, int gridCols, int outputDim, float eps,
                           int queryBranchInput) {
    public FusionConfig {
        inputDims = List.copyOf(inputDims);
        if (inputDims.isEmpty() || inputDims.stream().anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("fusion needs at least one input of positive width: " + inputDims);
        }
        if (gridRows <= 0 || gridCols <= 0 || outputDim <= 0 || (long) gridRows * gridCols > 1 << 20) {
            throw new IllegalArgumentException("bad fusion grid " + gridRows + "×" + gridCols + " or output " + outputDim);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("fusion layer norm eps must be positive, got " + eps);
        }
        if (queryBranchInput < -1 || queryBranchInput >= inputDims.size()) {
            throw new IllegalArgumentException("query branch input " + queryBranchInput + " is not one of the "
                    + inputDims.size() + " inputs");
        }
    }

    /** Width of the channel-wise concatenation. */
    public int concatDim() {
        return inputDims.stream().mapToInt(Integer::intValue).sum();
    }

    public boolean hasQueryBranch() {
        return queryBranchInput >= 0;
    }
}
