package dev.fovea.engine.adapter;

/**
 * One tensor of an adapter's GGUF layout: its name, its GGUF shape (innermost first) and what it holds, so a
 * writer knows how to fill it (e.g. random weights in a synthetic file).
 */
public record AdapterTensorSpec(String name, long[] shape, Role role) {

    public enum Role {
        /** A linear map's weight, [inputDim, outputDim]. */
        MATRIX,
        /** A bias vector. */
        BIAS,
        /** A layer norm's scale. */
        NORM_WEIGHT,
        /** A layer norm's shift. */
        NORM_BIAS,
        /** A learned table such as the resampler's queries (kept F32). */
        TABLE,
        /** A single learned embedding such as LLaVA-1.6's image newline (kept F32). */
        EMBEDDING
    }

    public long elements() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
