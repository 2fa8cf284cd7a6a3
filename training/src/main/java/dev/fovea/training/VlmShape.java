package dev.fovea.training;

import dev.fovea.engine.vision.tiling.AnyResTiling;
import dev.fovea.engine.vision.tiling.Resolution;
import java.util.List;

/**
 * The sizes of a ShapesWorld vision-language model: a CLIP-layout ViT, an adapter, a llama-architecture decoder.
 *
 * @param vit     the vision tower
 * @param adapter the projector kind as {@code clip.projector_type} names it ({@code mlp}, {@code linear},
 *                {@code resampler} or {@code fusion})
 * @param llm     the decoder
 * @param fine    the second tower of the {@code fusion} adapter (SPHINX-style: another patch size and depth, pooled
 *                to the first tower's grid), else null
 * @param canvas  LLaVA-1.6 AnyRes with one pinpoint, a {@code canvas × canvas} square of tiles at the tower's size
 *                beside the base view (read in llama.cpp's layout: base rows, then the stitched tile grid row by
 *                row); 0 for none
 */
record VlmShape(Vit vit, String adapter, Llm llm, Vit fine, int canvas) {

    /** One tower, one view. */
    VlmShape(Vit vit, String adapter, Llm llm) {
        this(vit, adapter, llm, null, 0);
    }

    VlmShape(Vit vit, String adapter, Llm llm, Vit fine) {
        this(vit, adapter, llm, fine, 0);
    }

    VlmShape {
        if (canvas != 0 && (canvas <= vit.imageSize() || canvas % vit.imageSize() != 0 || fine != null
                || adapter.equals(Adapter.RESAMPLER))) {
            throw new IllegalArgumentException("AnyRes takes a canvas of whole tiles (a multiple of "
                    + vit.imageSize() + " above it, got " + canvas + ") and one tower whose grid the adapter keeps");
        }
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

    VlmShape withCanvas(int side) {
        return new VlmShape(vit, adapter, llm, fine, side);
    }

    /** The AnyRes tiling, or null for one view. */
    AnyResTiling tiling() {
        return canvas == 0 ? null : new AnyResTiling(List.of(new Resolution(canvas, canvas)), vit.imageSize());
    }

    /** The tile grid's side (0 without AnyRes). */
    int tileSide() {
        return canvas / vit.imageSize();
    }

    /** Views the tower encodes per picture: the base view and the tiles. */
    int views() {
        return 1 + tileSide() * tileSide();
    }

    /**
     * Variant (b): (a) with LLaVA-1.6's high-resolution views, one 448 × 448 pinpoint: the base view and 2 × 2
     * tiles of the picture enlarged into that square (aspect kept, black padding), 5 × 49 = 245 image rows.
     */
    static VlmShape llavaHighRes() {
        return llava().withCanvas(448);
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
