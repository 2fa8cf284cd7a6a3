package dev.fovea.engine.llm;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufKeys;

/**
 * Hyper-parameters of a decoder-only transformer, read from GGUF metadata under the architecture's prefix.
 *
 * @param arch          GGUF architecture, one of {@link LlmArchitectures#names()}
 * @param blockCount    number of transformer blocks
 * @param embd          model width
 * @param headCount     query heads
 * @param headCountKv   key/value heads (grouped-query attention when fewer than headCount)
 * @param headDim       width of one head
 * @param ffnLength     FFN hidden width
 * @param vocabSize     rows of the token embedding
 * @param contextLength trained context length
 * @param rmsEps        the norms' epsilon (RMSNorm, or LayerNorm for phi2's block)
 * @param ropeBase      rotary frequency base
 * @param ropeDims      number of rotated dims per head
 * @param ropeNeox      rotate pairs (i, i + ropeDims/2) instead of adjacent pairs (2i, 2i+1)
 * @param ropeSections  multi-section rotary (Qwen2-VL's M-RoPE): how many of the ropeDims/2 pairs turn by the
 *                      temporal, height, width and extra position streams, in that order; null for one stream
 */
public record LlmConfig(String arch, int blockCount, int embd, int headCount, int headCountKv, int headDim,
                        int ffnLength, int vocabSize, int contextLength, float rmsEps, float ropeBase,
                        int ropeDims, boolean ropeNeox, int[] ropeSections) {

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
        if (ropeSections != null) {
            if (ropeSections.length != 4 || java.util.Arrays.stream(ropeSections).anyMatch(v -> v < 0)
                    || java.util.Arrays.stream(ropeSections).sum() == 0) {
                throw new IllegalArgumentException(arch + ": rope dimension_sections must be 4 counts, not all 0, got "
                        + java.util.Arrays.toString(ropeSections));
            }
            ropeSections = ropeSections.clone();
        }
    }

    /** Width of the key (and value) projections: all KV heads together. */
    public int kvDim() {
        return headCountKv * headDim;
    }

    /** Reads the config of an LLM file of one of {@link LlmArchitectures#names()}. */
    public static LlmConfig fromGguf(GgufFile f, int vocabSize) throws GgufFormatException {
        LlmArchitecture a = LlmArchitectures.of(f);
        try {
            return read(f, a, vocabSize);
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException(f.path() + ": " + e.getMessage());
        }
    }

    private static LlmConfig read(GgufFile f, LlmArchitecture a, int vocabSize) throws GgufFormatException {
        String arch = a.name();
        int[] sections = null;
        if (a.multiSectionRope()) {
            sections = f.getIntArray(GgufKeys.ropeDimensionSections(arch));
            if (sections == null) {
                throw new GgufFormatException(f.path() + ": missing metadata '" + GgufKeys.ropeDimensionSections(arch) + "'");
            }
        }
        int embd = f.requireInt(GgufKeys.embeddingLength(arch));
        int heads = f.requireInt(GgufKeys.headCount(arch));
        int headDim = f.getInt(GgufKeys.keyLength(arch), embd / Math.max(1, heads));
        return new LlmConfig(arch,
                f.requireInt(GgufKeys.blockCount(arch)),
                embd,
                heads,
                f.getInt(GgufKeys.headCountKv(arch), heads),
                headDim,
                f.requireInt(GgufKeys.feedForwardLength(arch)),
                vocabSize,
                f.getInt(GgufKeys.contextLength(arch), 2048),
                f.getFloat(a.phiBlock() ? GgufKeys.layerNormEpsilon(arch) : GgufKeys.rmsEpsilon(arch), 1e-5f),
                f.getFloat(GgufKeys.ropeFreqBase(arch), 10000f),
                f.getInt(GgufKeys.ropeDimensionCount(arch), headDim),
                a.ropeNeox(), sections);
    }
}
