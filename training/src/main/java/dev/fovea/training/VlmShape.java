package dev.fovea.training;

/**
 * The sizes of a ShapesWorld vision-language model: a CLIP-layout ViT, an adapter, a llama-architecture decoder.
 *
 * @param vit     the vision tower
 * @param adapter the projector kind as {@code clip.projector_type} names it ({@code mlp}, {@code linear} or
 *                {@code resampler})
 * @param llm     the decoder
 */
record VlmShape(Vit vit, String adapter, Llm llm) {

    /**
     * @param blocks blocks that run; the file declares one more, since LLaVA's files read the penultimate layer
     */
    record Vit(int imageSize, int patchSize, int width, int heads, int ff, int blocks) {
        Vit {
            if (imageSize % patchSize != 0 || width % heads != 0 || width % 32 != 0 || ff % 32 != 0) {
                throw new IllegalArgumentException("ViT sizes do not fit: " + imageSize + "/" + patchSize + ", "
                        + width + "/" + heads + " heads, ff " + ff);
            }
        }

        int grid() {
            return imageSize / patchSize;
        }

        int patches() {
            return grid() * grid();
        }

        int patchLength() {
            return 3 * patchSize * patchSize;
        }
    }

    record Llm(int dim, int layers, int heads, int ff, int context, float ropeBase) {
        Llm {
            if (dim % heads != 0 || (dim / heads) % 2 != 0 || dim % 32 != 0 || ff % 32 != 0) {
                throw new IllegalArgumentException("LLM sizes do not fit: " + dim + "/" + heads + " heads, ff " + ff);
            }
        }

        int headDim() {
            return dim / heads;
        }
    }

    static final float NORM_EPS = 1e-5f;
    static final float VIT_EPS = 1e-6f;

    /**
     * Variant (a): LLaVA-style, one encoder at base resolution and the 2-layer MLP adapter. Patches of 32 px give
     * 49 image rows: with 196 rows of 16 px, a decoder trained from scratch stayed blind to the image for 700 steps
     * (attention spread over many background rows carries little signal to learn from).
     */
    static VlmShape llava() {
        return new VlmShape(new Vit(224, 32, 256, 4, 1024, 4), "mlp", new Llm(256, 4, 4, 768, 2048, 10000f));
    }

    VlmShape withAdapter(String kind) {
        return new VlmShape(vit, kind, llm);
    }

    /** Small sizes for tests. */
    static VlmShape tiny(String adapter) {
        return new VlmShape(new Vit(32, 8, 64, 2, 128, 2), adapter, new Llm(64, 2, 2, 128, 512, 10000f));
    }
}
