package dev.fovea.engine.synth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shapes of a published decoder model, for random-weight copies. The vocabulary is not part of a preset: it
 * comes from the vocab GGUF the synthesized model copies its tokenizer from.
 *
 * @param tiedOutput no {@code output.weight}; the token embedding doubles as the output matrix (Qwen2-0.5B)
 * @param qkvBias    Q/K/V projections carry biases (Qwen2)
 * @param fused      one {@code attn_qkv} matrix (Q, K and V rows stacked) and one {@code ffn_up} of twice the
 *                   feed-forward length (gate rows, then up rows) instead of separate matrices, as phi3 files carry
 *                   them (phi2: the stacked attn_qkv only)
 * @param ropeDims   rotated dims per head, 0 for all of them (phi2 turns 32 of its 80)
 * @param ropeFreqs  a {@code rope_freqs.weight} of Llama-3.1-style frequency factors (factor 8 over an original
 *                   context of a sixteenth of {@code contextLength}), as Llama 3.1/3.2 files carry
 * @param tokenEmbdStd standard deviation of the token embedding (the other matrices': {@link #WEIGHT_STD})
 */
public record LlmPreset(String name, String arch, int blockCount, int embd, int headCount, int headCountKv,
                        int ffnLength, int contextLength, float ropeBase, float rmsEps, boolean tiedOutput,
                        boolean qkvBias, boolean fused, int ropeDims, boolean ropeFreqs, float tokenEmbdStd) {
    /** Standard deviation of the matrices: small enough that activations stay in a sane range over many layers. */
    public static final float WEIGHT_STD = 0.02f;

    /** A preset whose token embedding is drawn like its other matrices. */
    public LlmPreset(String name, String arch, int blockCount, int embd, int headCount, int headCountKv,
                     int ffnLength, int contextLength, float ropeBase, float rmsEps, boolean tiedOutput,
                     boolean qkvBias, boolean fused, int ropeDims, boolean ropeFreqs) {
        this(name, arch, blockCount, embd, headCount, headCountKv, ffnLength, contextLength, ropeBase, rmsEps,
                tiedOutput, qkvBias, fused, ropeDims, ropeFreqs, WEIGHT_STD);
    }

    private static final Map<String, LlmPreset> PRESETS = new LinkedHashMap<>();

    static {
        add(new LlmPreset("tinyllama-1.1b", "llama", 22, 2048, 32, 4, 5632, 2048, 10000f, 1e-5f,
                false, false, false, 0, false));
        add(new LlmPreset("qwen2-0.5b", "qwen2", 24, 896, 14, 2, 4864, 32768, 1000000f, 1e-6f,
                true, true, false, 0, false));
        add(new LlmPreset("llama-7b", "llama", 32, 4096, 32, 32, 11008, 4096, 10000f, 1e-5f,
                false, false, false, 0, false));
        // small enough for demos and tests: a few MB, loads in well under a second
        add(new LlmPreset("tiny", "llama", 4, 256, 8, 4, 768, 2048, 10000f, 1e-5f, false, false, false, 0, false));
        add(new LlmPreset("phi3-mini", "phi3", 32, 3072, 32, 32, 8192, 4096, 10000f, 1e-5f,
                false, false, true, 0, false));
        add(new LlmPreset("tiny-phi3", "phi3", 4, 256, 8, 8, 768, 4096, 10000f, 1e-5f, false, false, true, 0, false));
        add(new LlmPreset("phi-2", "phi2", 32, 2560, 32, 32, 10240, 2048, 10000f, 1e-5f, false, true, true, 32, false));
        add(new LlmPreset("tiny-phi2", "phi2", 4, 320, 4, 4, 1280, 2048, 10000f, 1e-5f, false, true, true, 32, false));
        add(new LlmPreset("tiny-llama3", "llama", 4, 256, 8, 4, 768, 1024, 500000f, 1e-5f,
                false, false, false, 0, true));
        add(new LlmPreset("tiny-qwen2", "qwen2", 4, 256, 8, 2, 768, 4096, 1000000f, 1e-6f,
                true, true, false, 0, false));
        // MiniCPM-V 2.6's LLM (Qwen2-7B) at its full width, which llama.cpp's resampler fixes at 3584, and otherwise
        // tiny: one block, a narrow feed-forward (34 M weights with a vocabulary of ~1000). A random resampler's rows
        // come out at about unit scale; token embeddings drawn at that scale too keep the text in play beside them
        // (at 0.02 the image rows swamp the attention and every step gives the same token).
        add(new LlmPreset("tiny-minicpmv", "qwen2", 1, 3584, 28, 4, 256, 4096, 1000000f, 1e-6f,
                false, true, false, 0, false, 1f));
    }

    private static void add(LlmPreset p) {
        PRESETS.put(p.name(), p);
    }

    /** The preset of that name, with {@code arch} checked when given (null accepts the preset's own). */
    public static LlmPreset named(String name, String arch) {
        LlmPreset p = PRESETS.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown preset '" + name + "' (known: " + String.join(", ", names()) + ")");
        }
        if (arch != null && !arch.equals(p.arch())) {
            throw new IllegalArgumentException("preset '" + name + "' is a " + p.arch() + " model, not " + arch);
        }
        return p;
    }

    public static Iterable<String> names() {
        return PRESETS.keySet();
    }

    public int headDim() {
        return embd / headCount;
    }

    /** Weights in the 2-D matrices plus the embedding, for a vocabulary of {@code vocab} tokens. */
    public long parameterCount(int vocab) {
        long kv = (long) headCountKv * headDim();
        long perLayer = 2L * embd * embd + 2L * embd * kv + 3L * embd * ffnLength + 2L * embd;
        return blockCount * perLayer + (long) vocab * embd * (tiedOutput ? 1 : 2) + embd;
    }
}
