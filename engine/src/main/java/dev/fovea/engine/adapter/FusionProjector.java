package dev.fovea.engine.adapter;

import dev.fovea.engine.layers.DenseLayer;
import dev.fovea.engine.layers.LayerNormWeights;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.FeatureMap;
import java.util.List;

/**
 * SPHINX-style mixing of several encoders: each encoder's feature grid is pooled to a common
 * {@code gridRows × gridCols} grid ({@link AdaptiveGridPooling}), the grids are concatenated channel-wise in
 * input order, then {@code LayerNorm(W·x + b)} maps every cell to the LLM's width. Optionally a resampler reads
 * one input and its tokens are appended after the grid tokens (SPHINX appends its Q-Former tokens the same way).
 * The output is the grid when there is no query branch, otherwise a sequence of grid + query tokens.
 */
public final class FusionProjector implements Projector {
    public static final String KIND = "fusion";

    private final FusionConfig config;
    private final DenseLayer fc;
    private final LayerNormWeights norm;
    private final ResamplerProjector queryBranch;

    FusionProjector(FusionConfig config, DenseLayer fc, LayerNormWeights norm, ResamplerProjector queryBranch) {
        if (fc.inputDim() != config.concatDim() || fc.outputDim() != config.outputDim()) {
            throw new IllegalArgumentException("fusion linear map " + fc.outputDim() + "×" + fc.inputDim() + " is not "
                    + config.outputDim() + "×" + config.concatDim());
        }
        if (norm.dim() != config.outputDim()) {
            throw new IllegalArgumentException("fusion layer norm of " + norm.dim() + " for output " + config.outputDim());
        }
        if (config.hasQueryBranch() != (queryBranch != null)) {
            throw new IllegalArgumentException("query branch configured: " + config.hasQueryBranch()
                    + ", resampler given: " + (queryBranch != null));
        }
        if (queryBranch != null) {
            ResamplerConfig rc = queryBranch.config();
            if (rc.outputDim() != config.outputDim() || rc.inputDim() != config.inputDims().get(config.queryBranchInput())) {
                throw new IllegalArgumentException("query branch resampler maps " + rc.inputDim() + "→" + rc.outputDim()
                        + ", fusion needs " + config.inputDims().get(config.queryBranchInput()) + "→" + config.outputDim());
            }
        }
        this.config = config;
        this.fc = fc;
        this.norm = norm;
        this.queryBranch = queryBranch;
    }

    public FusionConfig config() {
        return config;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public int outputDim() {
        return config.outputDim();
    }

    @Override
    public int outputTokens(List<Integer> inputTokens) {
        if (inputTokens.size() != config.inputDims().size()) {
            throw new IllegalArgumentException("fusion takes " + config.inputDims().size() + " inputs, got " + inputTokens.size());
        }
        return config.gridRows() * config.gridCols() + (queryBranch == null ? 0 : queryBranch.config().queries());
    }

    @Override
    public FeatureMap project(List<FeatureMap> inputs, Parallel pool) {
        List<Integer> dims = config.inputDims();
        if (inputs.size() != dims.size()) {
            throw new IllegalArgumentException("fusion takes " + dims.size() + " inputs, got " + inputs.size());
        }
        int cells = config.gridRows() * config.gridCols();
        int width = config.concatDim();
        float[] concat = new float[Math.multiplyExact(cells, width)];
        int channel = 0;
        for (int k = 0; k < inputs.size(); k++) {
            FeatureMap x = inputs.get(k);
            if (x.dim() != dims.get(k)) {
                throw new IllegalArgumentException("fusion input " + k + " has width " + x.dim() + ", expected " + dims.get(k));
            }
            FeatureMap pooled = AdaptiveGridPooling.pool(x, config.gridRows(), config.gridCols());
            int d = x.dim();
            for (int t = 0; t < cells; t++) {
                System.arraycopy(pooled.data(), t * d, concat, t * width + channel, d);
            }
            channel += d;
        }
        float[] grid = norm.apply(fc.apply(concat, cells, pool), cells);
        if (queryBranch == null) {
            return new FeatureMap(grid, cells, config.outputDim(), config.gridRows(), config.gridCols());
        }
        FeatureMap queries = queryBranch.project(List.of(inputs.get(config.queryBranchInput())), pool);
        float[] all = new float[grid.length + queries.data().length];
        System.arraycopy(grid, 0, all, 0, grid.length);
        System.arraycopy(queries.data(), 0, all, grid.length, queries.data().length);
        return FeatureMap.sequence(all, cells + queries.tokens(), config.outputDim());
    }
}
