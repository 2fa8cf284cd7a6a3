package dev.fovea.engine.adapter;

/**
 * Shape of a Qwen-VL style resampler.
 *
 * @param inputDim      width of the encoder features (the kv projection maps it to {@code embedDim}; none when equal)
 * @param embedDim      width of the queries and of the attention
 * @param outputDim     width of the output embeddings (the LLM's n_embd)
 * @param heads         attention heads ({@code embedDim} must be a multiple)
 * @param queryRows     the learned queries form a {@code queryRows × queryCols} grid (Qwen-VL: 16 × 16 = 256)
 * @param queryCols     see {@code queryRows}
 * @param eps           epsilon of the three layer norms (Qwen-VL: 1e-6)
 * @param keyPositions  how the keys get their positions on a patch grid of another size than the query grid
 * @param queryPositions whether the queries get the 2-D sin-cos table of their grid (Qwen-VL: yes; MiniCPM-V: no,
 *                      its learned queries carry no positions)
 */
public record ResamplerConfig(int inputDim, int embedDim, int outputDim, int heads, int queryRows, int queryCols,
                              float eps, KeyPositions keyPositions, boolean queryPositions) {

    /** Qwen-VL's kind: the queries carry the positions of their grid. */
    public ResamplerConfig(int inputDim, int embedDim, int outputDim, int heads, int queryRows, int queryCols,
                           float eps, KeyPositions keyPositions) {
        this(inputDim, embedDim, outputDim, heads, queryRows, queryCols, eps, keyPositions, true);
    }

    /** Where the keys' 2-D sin-cos positions come from. */
    public enum KeyPositions {
        /** Qwen-VL: the query-grid table, bicubically resized to the patch grid (identical when the grids match). */
        INTERPOLATE,
        /** MiniCPM-V / llama.cpp: the sin-cos table computed directly at the patch grid. */
        DIRECT;

        /** The name used in GGUF metadata. */
        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static KeyPositions fromKey(String key) {
            for (KeyPositions k : values()) {
                if (k.key().equals(key)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown key position mode '" + key + "' (interpolate or direct)");
        }
    }

    public ResamplerConfig {
        if (inputDim <= 0 || embedDim <= 0 || outputDim <= 0 || heads <= 0 || queryRows <= 0 || queryCols <= 0) {
            throw new IllegalArgumentException("resampler dims must be positive: " + this);
        }
        if (embedDim % heads != 0) {
            throw new IllegalArgumentException("embed dim " + embedDim + " is not a multiple of " + heads + " heads");
        }
        if (embedDim % 4 != 0) {
            throw new IllegalArgumentException("embed dim " + embedDim + " must be divisible by 4 for 2-D sin-cos positions");
        }
        if ((long) queryRows * queryCols > 1 << 20) {
            throw new IllegalArgumentException("too many queries: " + queryRows + "×" + queryCols);
        }
        if (!(eps > 0) || keyPositions == null) {
            throw new IllegalArgumentException("resampler needs eps > 0 and a key position mode: " + this);
        }
    }

    public int queries() {
        return queryRows * queryCols;
    }

    public int headDim() {
        return embedDim / heads;
    }
}
