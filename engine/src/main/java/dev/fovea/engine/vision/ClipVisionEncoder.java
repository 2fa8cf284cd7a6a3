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
 *
 * <p>MiniCPM-V's tower ({@code clip.has_minicpmv_projector}, SigLIP's layout) encodes slices of any size: its
 * learned positions are a {@value #MINICPMV_POSITION_GRID} × {@value #MINICPMV_POSITION_GRID} table and a slice's
 * {@code gh × gw} patches read it bucketed, as llama.cpp (build 4748) does after SigLIP-NaViT: patch (i, j) takes
 * row {@code ⌊70·i/gh⌋·70 + ⌊70·j/gw⌋}. All blocks run, then the post-LayerNorm.
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

    /** Side of MiniCPM-V's position table (llama.cpp hard-codes it; SigLIP-so400m at 980 px / 14). */
    public static final int MINICPMV_POSITION_GRID = 70;

    /** The patch size llama.cpp's MiniCPM-V path assumes (llava.cpp reshapes slices into 14 × 14 patches). */
    static final int MINICPMV_PATCH_SIZE = 14;

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
    /** MiniCPM-V's bucketed position table (any slice size), else positions for the square image only. */
    private final boolean bucketedPositions;

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
        bucketedPositions = f.getBool(GgufKeys.HAS_MINICPMV_PROJECTOR, false);
        if (bucketedPositions && !"resampler".equals(f.getString(GgufKeys.PROJECTOR_TYPE, ""))) {
            throw new GgufFormatException(f.path().getFileName() + ": " + GgufKeys.HAS_MINICPMV_PROJECTOR + " with "
                    + GgufKeys.PROJECTOR_TYPE + " '" + f.getString(GgufKeys.PROJECTOR_TYPE, "") + "' is not supported"
                    + " (MiniCPM-V's projector is the resampler)");
        }
        if (bucketedPositions && (patchSize != MINICPMV_PATCH_SIZE || classEmbd != null)) {
            throw new GgufFormatException(f.path().getFileName() + ": a MiniCPM-V tower with patch size " + patchSize
                    + (classEmbd != null ? " and a class token" : "") + " is not supported (llama.cpp's MiniCPM-V path"
                    + " takes 14-pixel patches and no class token)");
        }
        int positionsCount = bucketedPositions ? MINICPMV_POSITION_GRID * MINICPMV_POSITION_GRID
                : patches + (classEmbd != null ? 1 : 0);
        GgufTensorInfo posInfo = f.tensor("v.position_embd.weight");
        if (posInfo.elementCount() != (long) positionsCount * embd) {
            throw new GgufFormatException("v.position_embd.weight has " + posInfo.elementCount() / embd
                    + " positions, expected " + positionsCount);
        }
        positions = GgufTensors.rowTable(f, posInfo).dequantize();
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
        return encode(images, imageSize, imageSize, pool);
    }

    /** Whether {@link #encode(List, int, int, Parallel)} takes images of any size (MiniCPM-V's slices). */
    public boolean encodesAnySize() {
        return bucketedPositions;
    }

    /**
     * Encodes preprocessed images of {@code width × height} ({@code [3][height][width]} each): any size a whole
     * number of patches covers for MiniCPM-V's tower (pixels past the last whole patch are not seen, as in a stride-p
     * convolution), only the image size for the others. Returns each image's features on its {@code gh × gw} grid.
     */
    public List<FeatureMap> encode(List<float[]> images, int width, int height, Parallel pool) {
        if (!bucketedPositions && (width != imageSize || height != imageSize)) {
            throw new IllegalArgumentException("this tower encodes " + imageSize + "×" + imageSize + " images, not "
                    + width + "×" + height);
        }
        // slices are bounded by their area (about 448², long and thin for banner images), other inputs by their side
        if (width < patchSize || height < patchSize || (long) width * height > (long) MAX_IMAGE_SIZE * MAX_IMAGE_SIZE
                || !bucketedPositions && (width > MAX_IMAGE_SIZE || height > MAX_IMAGE_SIZE)) {
            throw new IllegalArgumentException("an encoder input of " + width + "×" + height + " is outside "
                    + patchSize + "…" + MAX_IMAGE_SIZE + " pixels a side (" + MAX_IMAGE_SIZE + "² in all for slices)");
        }
        int gw = width / patchSize;
        int gh = height / patchSize;
        int patches = gw * gh;
        int patchLen = 3 * patchSize * patchSize;
        int cls = classEmbd != null ? 1 : 0;
        int n = patches + cls;
        int count = images.size();
        if (count == 0) {
            return List.of();
        }
        float[] pos = bucketedPositions ? bucketedPositions(gh, gw) : positions;
        float[] flat = new float[Math.multiplyExact(count * patches, patchLen)];
        for (int img = 0; img < count; img++) {
            float[] pixels = images.get(img);
            if (pixels.length != 3 * width * height) {
                throw new IllegalArgumentException("expected [3][" + height + "×" + width + "] = "
                        + 3 * width * height + " pixel values, got " + pixels.length);
            }
            for (int py = 0; py < gh; py++) {
                for (int px = 0; px < gw; px++) {
                    int o = ((img * patches) + py * gw + px) * patchLen;
                    for (int c = 0; c < 3; c++) {
                        for (int ky = 0; ky < patchSize; ky++) {
                            System.arraycopy(pixels, (c * height + py * patchSize + ky) * width + px * patchSize,
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
                x[base + i] += pos[i];
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
                    : new FeatureMap(features, patches, embd, gh, gw));
        }
        return out;
    }

    /** MiniCPM-V's positions for a {@code gh × gw} slice: rows of the 70 × 70 table, bucketed (class Javadoc). */
    private float[] bucketedPositions(int gh, int gw) {
        int g = MINICPMV_POSITION_GRID;
        float[] out = new float[gh * gw * embd];
        for (int i = 0; i < gh; i++) {
            int row = (int) Math.floor(g * (double) i / gh);
            for (int j = 0; j < gw; j++) {
                int col = (int) Math.floor(g * (double) j / gw);
                System.arraycopy(positions, (row * g + col) * embd, out, (i * gw + j) * embd, embd);
            }
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
