package dev.fovea.engine.vision;

/**
 * Row-major features {@code [tokens][dim]} laid out on a {@code gridHeight × gridWidth} patch grid
 * (tokens == gridHeight * gridWidth for grid features; grid 1 × tokens for sequences without a 2-D layout).
 */
public record FeatureMap(float[] data, int tokens, int dim, int gridHeight, int gridWidth) {
    public FeatureMap {
        if (tokens < 0 || dim <= 0 || (long) tokens * dim != data.length) {
            throw new IllegalArgumentException("feature data of " + data.length + " floats is not " + tokens + "×" + dim);
        }
        if ((long) gridHeight * gridWidth != tokens) {
            throw new IllegalArgumentException("grid " + gridHeight + "×" + gridWidth + " does not hold " + tokens + " tokens");
        }
    }

    /** A sequence without 2-D layout. */
    public static FeatureMap sequence(float[] data, int tokens, int dim) {
        return new FeatureMap(data, tokens, dim, 1, tokens);
    }
}
