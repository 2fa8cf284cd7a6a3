package dev.fovea.engine.vision;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.gguf.GgufTensorInfo;
import dev.fovea.engine.layers.DenseLayer;
import dev.fovea.engine.layers.GgufTensors;
import dev.fovea.engine.layers.LayerNormWeights;
import dev.fovea.engine.ops.Activations;
import dev.fovea.engine.ops.VectorMath;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.tensor.WeightMatrix;
import java.util.List;

/**
 * The CLIP ViT of a GGUF {@code mmproj} (arch {@code clip}) in llama.cpp's layout: patch embedding (a convolution
 * with stride = patch size, as one matrix over flattened patches), CLS token, learned positions, pre-LN, pre-norm
 * transformer blocks, optional post-LN. With the LLaVA projector the penultimate layer's output is used, so the
 * last block is skipped. Returns the patch rows (CLS dropped) on the patch grid.
 */
public final class ClipVisionEncoder {

    /**
     * Which layer's output to return and whether to keep the CLS row.
     *
     * @param skipFinalBlocks blocks left out at the end (the feature layer, counted from the end); −1 = the file's
     *                        convention (1 with the LLaVA projector — its penultimate layer — else 0). The
     *                        post-LayerNorm only applies when no block is skipped.
     * @param keepClassToken  return the CLS row first (when the tower has one)
     */
    public record Options(int skipFinalBlocks, boolean keepClassToken) {
        public static final Options DEFAULT = new Options(-1, false);
    }

    private record Block(LayerNormWeights ln1, DenseLayer q, DenseLayer k, DenseLayer v, DenseLayer out,
                         LayerNormWeights ln2, DenseLayer ffnIn, DenseLayer ffnOut) {
    }

    /** Largest encoder input side: one preprocessed image is 3 × side² floats (192 MiB at 4096). */
    static final int MAX_IMAGE_SIZE = 4096;

    private final int imageSize;
    private final int patchSize;
    private final int embd;
    private final int heads;
    private final boolean gelu;
    private final WeightMatrix patchEmbd;
    private final float[] patchBias;
    private final float[] classEmbd;
    private final float[] positions;
    private final LayerNormWeights preLn;
    private final LayerNormWeights postLn;
    private final Block[] blocks;
    private final boolean keepClassToken;
    private final ClipPreprocessor preprocessor;

    private ClipVisionEncoder(GgufFile f, Options options) throws GgufFormatException {
        if (!"clip".equals(f.getString(GgufKeys.ARCHITECTURE, ""))) {
            throw new GgufFormatException(f.path().getFileName() + " is not an mmproj (general.architecture is '"
                    + f.getString(GgufKeys.ARCHITECTURE, "") + "', expected 'clip')");
        }
        imageSize = GgufTensors.requirePositive(f, GgufKeys.VISION_IMAGE_SIZE);
        patchSize = GgufTensors.requirePositive(f, GgufKeys.VISION_PATCH_SIZE);
        embd = GgufTensors.requirePositive(f, GgufKeys.VISION_EMBEDDING_LENGTH);
        heads = GgufTensors.requirePositive(f, GgufKeys.VISION_HEAD_COUNT);
        int ff = GgufTensors.requirePositive(f, GgufKeys.VISION_FEED_FORWARD_LENGTH);
        int blockCount = GgufTensors.requirePositive(f, GgufKeys.VISION_BLOCK_COUNT);
        float eps = f.getFloat(GgufKeys.VISION_LAYER_NORM_EPSILON, 1e-5f);
        gelu = f.getBool(GgufKeys.USE_GELU, true);
        // a stride-p convolution: pixels beyond the last whole patch are not seen (SigLIP 384 / 14 → 27 × 27)
        if (patchSize > imageSize || embd % heads != 0) {
            throw new GgufFormatException(f.path().getFileName() + ": patch size " + patchSize + " for images of "
                    + imageSize + ", or " + heads + " heads for width " + embd + ", do not fit");
        }
        if (imageSize > MAX_IMAGE_SIZE) {
            throw new GgufFormatException(f.path().getFileName() + ": clip.vision.image_size " + imageSize
                    + " is more than the " + MAX_IMAGE_SIZE + " supported");
        }
        int patches = (imageSize / patchSize) * (imageSize / patchSize);
        int patchLen = 3 * patchSize * patchSize;
        GgufTensorInfo pe = f.tensor("v.patch_embd.weight");
        if (pe.elementCount() != (long) patchLen * embd) {
            throw new GgufFormatException("v.patch_embd.weight has " + pe.elementCount() + " values, expected "
                    + patchLen + "×" + embd);
        }
        // ne = [kw, kh, 3, embd]: each output channel's kernel is one contiguous row of 3·kh·kw values
        patchEmbd = GgufTensors.flattened(f, pe, patchLen, embd);
        patchBias = GgufTensors.optionalVector(f, "v.patch_embd.bias", embd);
        classEmbd = GgufTensors.optionalVector(f, "v.class_embd", embd);
        int positionsCount = patches + (classEmbd != null ? 1 : 0);
        positions = GgufTensors.rowTable(f, f.tensor("v.position_embd.weight")).dequantize();
        if (positions.length != positionsCount * embd) {
            throw new GgufFormatException("v.position_embd.weight has " + positions.length / embd + " positions, expected "
                    + positionsCount);
        }
        preLn = GgufTensors.optionalLayerNorm(f, "v.pre_ln", eps);
        postLn = options.skipFinalBlocks() > 0 || (options.skipFinalBlocks() < 0
                && f.getBool(GgufKeys.HAS_LLAVA_PROJECTOR, false)) ? null : GgufTensors.optionalLayerNorm(f, "v.post_ln", eps);
        boolean llava = f.getBool(GgufKeys.HAS_LLAVA_PROJECTOR, false);
        int skip = options.skipFinalBlocks() >= 0 ? options.skipFinalBlocks() : (llava ? 1 : 0);
        if (skip >= blockCount) {
            throw new GgufFormatException("cannot skip " + skip + " of " + blockCount + " blocks");
        }
        int run = blockCount - skip;
        if (!f.hasTensor("v.blk." + (run - 1) + ".attn_q.weight")) {
            // checked before sizing anything by it: a hostile block count must not allocate
            throw new GgufFormatException(f.path().getFileName() + ": " + GgufKeys.VISION_BLOCK_COUNT + " is "
                    + blockCount + " but the file has no block " + (run - 1) + " (missing tensor 'v.blk." + (run - 1)
                    + ".attn_q.weight')");
        }
        this.keepClassToken = options.keepClassToken() && classEmbd != null;
        blocks = new Block[run];
        for (int i = 0; i < run; i++) {
            String p = "v.blk." + i + ".";
            // converters disagree on which FFN tensor is called up/down: tell them apart by shape
            GgufTensorInfo b = f.tensor(p + "ffn_down.weight");
            boolean downFirst = b.rowLength() == embd && b.rowCount() == ff;
            String first = downFirst ? "ffn_down" : "ffn_up";
            String second = downFirst ? "ffn_up" : "ffn_down";
            blocks[i] = new Block(GgufTensors.layerNorm(f, p + "ln1", eps),
                    GgufTensors.dense(f, p + "attn_q", embd, embd), GgufTensors.dense(f, p + "attn_k", embd, embd),
                    GgufTensors.dense(f, p + "attn_v", embd, embd), GgufTensors.dense(f, p + "attn_out", embd, embd),
                    GgufTensors.layerNorm(f, p + "ln2", eps), GgufTensors.dense(f, p + first, embd, ff), GgufTensors.dense(f, p + second, ff, embd));
        }
        preprocessor = new ClipPreprocessor(imageSize, GgufTensors.requireFloats(f, GgufKeys.VISION_IMAGE_MEAN, 3),
                GgufTensors.requireFloats(f, GgufKeys.VISION_IMAGE_STD, 3));
    }

    public static ClipVisionEncoder load(GgufFile f) throws GgufFormatException {
        return load(f, Options.DEFAULT);
    }

    public static ClipVisionEncoder load(GgufFile f, Options options) throws GgufFormatException {
        try {
            return new ClipVisionEncoder(f, options);
        } catch (GgufFormatException | IllegalArgumentException e) {
            throw GgufFormatException.naming(f.path(), e);
        }
    }

    /** Transformer blocks that run (the feature layer). */
    public int blocksRun() {
        return blocks.length;
    }

    public ClipPreprocessor preprocessor() {
        return preprocessor;
    }

    public int imageSize() {
        return imageSize;
    }

    public int embd() {
        return embd;
    }

    /** Patch rows per image. */
    public int patchCount() {
        int g = imageSize / patchSize;
        return g * g;
    }

    /** Encodes a preprocessed image ({@code [3][size][size]}); returns the patch features on the patch grid. */
    public FeatureMap encode(float[] pixels, Parallel pool) {
        return encode(List.of(pixels), pool).getFirst();
    }

    /**
     * Encodes several preprocessed images (or tiles) together: every matrix product runs once over all their
     * tokens, attention per image. Each result is bit-identical to encoding that image alone.
     */
    public List<FeatureMap> encode(List<float[]> images, Parallel pool) {
        int grid = imageSize / patchSize;
        int patches = grid * grid;
        int patchLen = 3 * patchSize * patchSize;
        int cls = classEmbd != null ? 1 : 0;
        int n = patches + cls;
        int count = images.size();
        if (count == 0) {
            return List.of();
        }
        float[] flat = new float[count * patches * patchLen];
        for (int img = 0; img < count; img++) {
            float[] pixels = images.get(img);
            if (pixels.length != 3 * imageSize * imageSize) {
                throw new IllegalArgumentException("expected [3][" + imageSize + "×" + imageSize + "] = "
                        + 3 * imageSize * imageSize + " pixel values, got " + pixels.length);
            }
            for (int py = 0; py < grid; py++) {
                for (int px = 0; px < grid; px++) {
                    int o = ((img * patches) + py * grid + px) * patchLen;
                    for (int c = 0; c < 3; c++) {
                        for (int ky = 0; ky < patchSize; ky++) {
                            System.arraycopy(pixels, (c * imageSize + py * patchSize + ky) * imageSize + px * patchSize,
                                    flat, o + (c * patchSize + ky) * patchSize, patchSize);
                        }
                    }
                }
            }
        }
        float[] emb = new float[count * patches * embd];
        patchEmbd.matMul(flat, count * patches, emb, pool);
        if (patchBias != null) {
            VectorMath.addBias(emb, count * patches, patchBias);
        }
        int rows = count * n;
        float[] x = new float[rows * embd];
        for (int img = 0; img < count; img++) {
            int base = img * n * embd;
            if (cls == 1) {
                System.arraycopy(classEmbd, 0, x, base, embd);
            }
            System.arraycopy(emb, img * patches * embd, x, base + cls * embd, patches * embd);
            for (int i = 0; i < n * embd; i++) {
                x[base + i] += positions[i];
            }
        }
        if (preLn != null) {
            x = preLn.apply(x, rows, pool);
        }
        for (Block b : blocks) {
            float[] h = b.ln1().apply(x, rows, pool);
            float[] att = attention(b, h, count, n, pool);
            VectorMath.addInPlace(x, b.out().apply(att, rows, pool));
            h = b.ln2().apply(x, rows, pool);
            float[] mid = b.ffnIn().apply(h, rows, pool);
            Activations.geluInPlace(mid, mid.length, !gelu, pool);
            VectorMath.addInPlace(x, b.ffnOut().apply(mid, rows, pool));
        }
        if (postLn != null) {
            x = postLn.apply(x, rows, pool);
        }
        int skip = keepClassToken ? 0 : cls;
        List<FeatureMap> out = new java.util.ArrayList<>(count);
        for (int img = 0; img < count; img++) {
            float[] features = new float[(n - skip) * embd];
            System.arraycopy(x, (img * n + skip) * embd, features, 0, (n - skip) * embd);
            out.add(keepClassToken && cls == 1 ? FeatureMap.sequence(features, n, embd)
                    : new FeatureMap(features, patches, embd, grid, grid));
        }
        return out;
    }

    /** Multi-head self-attention over each image's n rows (see {@link VisionAttention}). */
    private float[] attention(Block b, float[] h, int count, int n, Parallel pool) {
        float[] q = b.q().apply(h, count * n, pool);
        float[] k = b.k().apply(h, count * n, pool);
        float[] v = b.v().apply(h, count * n, pool);
        return VisionAttention.run(q, k, v, count, n, embd, heads, pool);
    }
}
