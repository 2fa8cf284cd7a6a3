package dev.fovea.engine.llm;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;

/**
 * Hyper-parameters of a decoder-only transformer, read from GGUF metadata under the architecture's prefix.
 *
 * @param arch          GGUF architecture ({@code llama} or {@code qwen2})
 * @param blockCount    number of transformer blocks
 * @param embd          model width
 * @param headCount     query heads
 * @param headCountKv   key/value heads (grouped-query attention when fewer than headCount)
 * @param headDim       width of one head
 * @param ffnLength     FFN hidden width
 * @param vocabSize     rows of the token embedding
 * @param contextLength trained context length
 * @param rmsEps        RMSNorm epsilon
 * @param ropeBase      rotary frequency base
 * @param ropeDims      number of rotated dims per head
 * @param ropeNeox      rotate pairs (i, i + ropeDims/2) instead of adjacent pairs (2i, 2i+1)
 */
public record LlmConfig(String arch, int blockCount, int embd, int headCount, int headCountKv, int headDim,
                        int ffnLength, int vocabSize, int contextLength, float rmsEps, float ropeBase,
                        int ropeDims, boolean ropeNeox) {

    public LlmConfig {
        if (blockCount <= 0 || embd <= 0 || headCount <= 0 || headCountKv <= 0 || ffnLength <= 0 || vocabSize <= 0) {
            throw new IllegalArgumentException("invalid model dimensions in " + arch + " config");
        }
        if (embd % headCount != 0 || headCount % headCountKv != 0) {
            throw new IllegalArgumentException(arch + ": embedding_length " + embd + " / head_count " + headCount
                    + " / head_count_kv " + headCountKv + " do not divide evenly");
        }
        if (contextLength <= 0) {
            throw new IllegalArgumentException(arch + ": context_length " + contextLength + " is not positive");
        }
        if (ropeDims <= 0 || ropeDims > headDim || ropeDims % 2 != 0) {
            throw new IllegalArgumentException(arch + ": rope dimension_count " + ropeDims + " invalid for head dim "
                    + headDim);
        }
    }

    /** Width of the key (and value) projections: all KV heads together. */
    public int kvDim() {
        return headCountKv * headDim;
    }

    /** Reads the config of a {@code llama} or {@code qwen2} GGUF. */
    public static LlmConfig fromGguf(GgufFile f, int vocabSize) throws GgufFormatException {
        String arch = f.architecture();
        boolean neox = switch (arch) {
            case "llama", "mistral" -> false;
            case "qwen2" -> true;
            default -> throw new GgufFormatException(f.path() + ": architecture '" + arch
                    + "' is not supported (llama, qwen2)");
        };
        try {
            return read(f, arch, vocabSize, neox);
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException(f.path() + ": " + e.getMessage());
        }
    }

    private static LlmConfig read(GgufFile f, String arch, int vocabSize, boolean neox) throws GgufFormatException {
        int embd = f.requireInt(arch + ".embedding_length");
        int heads = f.requireInt(arch + ".attention.head_count");
        int headDim = f.getInt(arch + ".attention.key_length", embd / Math.max(1, heads));
        return new LlmConfig(arch,
                f.requireInt(arch + ".block_count"),
                embd,
                heads,
                f.getInt(arch + ".attention.head_count_kv", heads),
                headDim,
                f.requireInt(arch + ".feed_forward_length"),
                vocabSize,
                f.getInt(arch + ".context_length", 2048),
                f.getFloat(arch + ".attention.layer_norm_rms_epsilon", 1e-5f),
                f.getFloat(arch + ".rope.freq_base", 10000f),
                f.getInt(arch + ".rope.dimension_count", headDim),
                neox);
    }
}
