package dev.fovea.training;

/**
 * The sizes of a ShapesWorld vision-language model: a CLIP-layout ViT, an adapter, a llama-architecture decoder.
 *
 * @param vit     the vision tower
 * @param adapter the projector kind as {@code clip.projector_type} names it ({@code mlp}, {@code linear},
 *                {@code resampler} or {@code fusion})
 * @param llm     the decoder
 * @param fine    the second tower of the {@code fusion} adapter (SPHINX-style: another patch size and depth, pooled
 *                to the first tower's grid), else null
 */
record VlmShape(Vit vit, String adapter, Llm llm, Vit fine) {

    /** One tower. */
    VlmShape(Vit vit, String adapter, Llm llm) {
        this(vit, adapter, llm, null);
    }

    VlmShape {
        if ((fine != null) != adapter.equals(Adapter.FUSION)) {
            throw new IllegalArgumentException("the fusion adapter takes two towers, the others one");
        }
        if (fine != null && (fine.imageSize() != vit.imageSize() || fine.grid() % vit.grid() != 0)) {
            throw new IllegalArgumentException("the fine tower must see the same picture on a grid that is a multiple"
                    + " of the first's: " + fine + " beside " + vit);
        }
    }

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

    /**
     * Variant (c), SPHINX-style: (a)'s tower beside a second one of 16-px patches (14 × 14), narrower and shallower,
     * its features pooled 2 × 2 onto the first's 7 × 7 grid by the {@code fusion} adapter: the same 49 image rows,
     * with detail from a finer view.
     */
    static VlmShape sphinx() {
        return new VlmShape(llava().vit(), Adapter.FUSION, llava().llm(), new Vit(224, 16, 128, 2, 512, 3));
    }

    /** Small sizes for tests. */
    static VlmShape tiny(String adapter) {
        Vit vit = new Vit(32, 8, 64, 2, 128, 2);
        Llm llm = new Llm(64, 2, 2, 128, 512, 10000f);
        return adapter.equals(Adapter.FUSION) ? new VlmShape(vit, adapter, llm, new Vit(32, 4, 32, 2, 64, 1))
                : new VlmShape(vit, adapter, llm);
    }
}
