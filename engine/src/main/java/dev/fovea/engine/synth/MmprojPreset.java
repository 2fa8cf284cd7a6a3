package dev.fovea.engine.synth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shapes of a published vision tower, for random-weight {@code mmproj} files.
 *
 * @param classToken  a CLS token is prepended (CLIP); SigLIP has none
 * @param preLn       a LayerNorm before the blocks (CLIP)
 * @param postLn      a LayerNorm after the blocks (SigLIP)
 * @param patchBias   the patch embedding has a bias (SigLIP)
 * @param llmEmbd     width of the projector output (the LLM's n_embd)
 */
public record MmprojPreset(String name, int imageSize, int patchSize, int embd, int heads, int ffn, int blocks,
                           boolean classToken, boolean preLn, boolean postLn, boolean patchBias, boolean gelu,
                           int llmEmbd, float[] mean, float[] std) {

    private static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    private static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};
    private static final float[] HALF = {0.5f, 0.5f, 0.5f};
    private static final Map<String, MmprojPreset> PRESETS = new LinkedHashMap<>();

    static {
        // LLaVA-1.5's tower: CLIP ViT-L/14 at 336 px, projector into a 7B model's 4096
        add(new MmprojPreset("clip-vit-l-336", 336, 14, 1024, 16, 4096, 24, true, true, false, false, false, 4096,
                CLIP_MEAN, CLIP_STD));
        // SigLIP so400m at 384 px (as in SmolVLM / Idefics3 style towers)
        add(new MmprojPreset("siglip-so400m-384", 384, 14, 1152, 16, 4304, 27, false, false, true, true, true, 2048,
                HALF, HALF));
        add(new MmprojPreset("tiny", 56, 14, 64, 4, 128, 3, true, true, false, false, true, 64, CLIP_MEAN, CLIP_STD));
        // CLIP-L/336's 24 × 24 patch grid at a tiny width: llama.cpp's ldp/ldpv2 graphs assume that grid
        add(new MmprojPreset("tiny-336", 336, 14, 64, 4, 128, 2, true, true, false, false, true, 64, CLIP_MEAN,
                CLIP_STD));
        add(new MmprojPreset("tiny-siglip", 56, 14, 96, 4, 192, 2, false, false, true, true, true, 64, HALF, HALF));
        // MiniCPM-V 2.6's layout (SigLIP at 448 px with a 70 × 70 position table, patch 14) at a tiny tower width;
        // the resampler's width, 3584, is what llama.cpp (build 4748) hard-codes for minicpmv_version 3
        add(new MmprojPreset("tiny-minicpmv", 448, 14, 32, 2, 64, 2, false, false, true, true, true, 3584, HALF,
                HALF));
    }

    private static void add(MmprojPreset p) {
        PRESETS.put(p.name(), p);
    }

    public static MmprojPreset named(String name) {
        MmprojPreset p = PRESETS.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown mmproj preset '" + name + "' (known: "
                    + String.join(", ", PRESETS.keySet()) + ")");
        }
        return p;
    }

    public int patches() {
        int g = imageSize / patchSize;
        return g * g;
    }
}
