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

/**
 * Qwen2-VL's vision tower as llama.cpp's {@code qwen2vl_merger} mmproj holds it (the conformance fixture's README in
 * {@code ../shared/conformance/qwen2vl} states the semantics): the image at its own size rounded up to multiples of
 * 28, 14-px patches embedded by the two temporal slices of the 3-D convolution (a still picture is two equal
 * frames), the patches ordered by 2×2 blocks, 2-D rotary positions (row, column) in every block's attention, full
 * attention, and the final LayerNorm. The output keeps that order, so the merger's four rows per token are adjacent;
 * its grid is the patch grid.
 */
public final class Qwen2VlVisionEncoder {
    /** The merger joins 2×2 patches, so image sides are multiples of two patches. */
    static final int MERGE = 2;
    private static final float ROPE_BASE = 10000f;
    /** Real towers use 14 or 16; a bound keeps a hostile file from asking for giant images. */
    private static final int MAX_PATCH = 64;

    private final int patchSize;
    private final int embd;
    private final int heads;
    private final long maxPixels;
    private final float[] mean;
    private final float[] std;
    private final WeightMatrix patchFrame0;
    private final WeightMatrix patchFrame1;
    private final Block[] blocks;
    private final LayerNormWeights postLn;
    private final boolean gelu;
    private final boolean silu;

    private record Block(LayerNormWeights ln1, DenseLayer q, DenseLayer k, DenseLayer v, DenseLayer out,
                         LayerNormWeights ln2, DenseLayer ffnIn, DenseLayer ffnOut) {
    }

    private Qwen2VlVisionEncoder(GgufFile f, long maxPixels) throws GgufFormatException {
        this.maxPixels = maxPixels;
        patchSize = GgufTensors.requirePositive(f, GgufKeys.VISION_PATCH_SIZE);
        embd = GgufTensors.requirePositive(f, GgufKeys.VISION_EMBEDDING_LENGTH);
        heads = GgufTensors.requirePositive(f, GgufKeys.VISION_HEAD_COUNT);
        int blockCount = GgufTensors.requirePositive(f, GgufKeys.VISION_BLOCK_COUNT);
        if (!f.hasTensor("v.blk." + (blockCount - 1) + ".ln1.weight")) {
            throw new GgufFormatException(GgufKeys.VISION_BLOCK_COUNT + " is " + blockCount + " but the file has no block "
                    + (blockCount - 1));
        }
        if (patchSize > MAX_PATCH) {
            throw new GgufFormatException(GgufKeys.VISION_PATCH_SIZE + " " + patchSize + " is more than " + MAX_PATCH);
        }
        if (embd % heads != 0 || (embd / heads) % 4 != 0) {
            throw new GgufFormatException("vision width " + embd + " over " + heads
                    + " heads: the 2-D rotary needs a head width that is a multiple of 4");
        }
        float eps = f.getFloat(GgufKeys.VISION_LAYER_NORM_EPSILON, 1e-6f);
        gelu = f.getBool(GgufKeys.USE_GELU, false);
        silu = f.getBool(GgufKeys.USE_SILU, false);
        mean = GgufTensors.requireFloats(f, GgufKeys.VISION_IMAGE_MEAN, 3);
        std = GgufTensors.requireFloats(f, GgufKeys.VISION_IMAGE_STD, 3);
        int patchLen = 3 * patchSize * patchSize;
        patchFrame0 = GgufTensors.flattened(f, f.tensor("v.patch_embd.weight"), patchLen, embd);
        patchFrame1 = GgufTensors.flattened(f, f.tensor("v.patch_embd.weight.1"), patchLen, embd);
        blocks = new Block[blockCount];
        for (int i = 0; i < blockCount; i++) {
            String p = "v.blk." + i + ".";
            // the converter names the first MLP linear ffn_down: the FFN width comes from its shape (the metadata
            // holds 0), and the shapes tell which is which
            GgufTensorInfo down = GgufTensors.matrixInfo(f, p + "ffn_down.weight");
            boolean downFirst = down.rowLength() == embd;
            String first = downFirst ? "ffn_down" : "ffn_up";
            String second = downFirst ? "ffn_up" : "ffn_down";
            int ff = (int) GgufTensors.matrixInfo(f, p + first + ".weight").rowCount();
            blocks[i] = new Block(GgufTensors.layerNorm(f, p + "ln1", embd, eps),
                    GgufTensors.dense(f, p + "attn_q", embd, embd), GgufTensors.dense(f, p + "attn_k", embd, embd),
                    GgufTensors.dense(f, p + "attn_v", embd, embd), GgufTensors.dense(f, p + "attn_out", embd, embd),
                    GgufTensors.layerNorm(f, p + "ln2", embd, eps), GgufTensors.dense(f, p + first, embd, ff),
                    GgufTensors.dense(f, p + second, ff, embd));
        }
        postLn = GgufTensors.layerNorm(f, "v.post_ln", embd, eps);
    }

    /**
     * @param maxPixels the most pixels an image is encoded at: a larger one is first scaled down, keeping its aspect,
     *                  to fit (attention grows with the square of the patches); images within it are encoded at
     *                  their own size as llama.cpp does
     */
    public static Qwen2VlVisionEncoder load(GgufFile f, long maxPixels) throws GgufFormatException {
        try {
            return new Qwen2VlVisionEncoder(f, maxPixels);
        } catch (GgufFormatException | IllegalArgumentException e) {
            throw GgufFormatException.naming(f.path(), e);
        }
    }

    public int embd() {
        return embd;
    }

    public int patchSize() {
        return patchSize;
    }

    /** The size an image is encoded at: each side rounded up to a multiple of two patches, within the budget. */
    int[] encodedSize(int width, int height) {
        int unit = MERGE * patchSize;
        long pixels = (long) width * height;
        if (pixels <= maxPixels) {
            return new int[] {(width + unit - 1) / unit * unit, (height + unit - 1) / unit * unit};
        }
        // scaled down to fit, each side rounded down (rounding up could pass the budget again)
        double scale = Math.sqrt((double) maxPixels / pixels);
        return new int[] {Math.max(unit, (int) Math.floor(width * scale / unit) * unit),
                Math.max(unit, (int) Math.floor(height * scale / unit) * unit)};
    }

    /** Patch features of a decoded image: {@code [patches][embd]} in 2×2-block order, grid = the patch grid. */
    public FeatureMap encode(RgbImage image, Parallel pool) {
        int[] size = encodedSize(image.width(), image.height());
        RgbImage resized = size[0] == image.width() && size[1] == image.height() ? image
                : ClipPreprocessor.resize(image, size[0], size[1]);
        int pw = size[0] / patchSize;
        int ph = size[1] / patchSize;
        int n = pw * ph;
        int patchLen = 3 * patchSize * patchSize;
        float[] patches = new float[n * patchLen];
        int[] rowOf = new int[n];
        int[] colOf = new int[n];
        for (int py = 0; py < ph; py++) {
            for (int px = 0; px < pw; px++) {
                int seq = 4 * ((py / 2) * (pw / 2) + px / 2) + 2 * (py % 2) + (px % 2);
                rowOf[seq] = py;
                colOf[seq] = px;
                int o = seq * patchLen;
                for (int c = 0; c < 3; c++) {
                    for (int ky = 0; ky < patchSize; ky++) {
                        for (int kx = 0; kx < patchSize; kx++) {
                            int v = resized.at(px * patchSize + kx, py * patchSize + ky, c);
                            patches[o + (c * patchSize + ky) * patchSize + kx] = (v / 255f - mean[c]) / std[c];
                        }
                    }
                }
            }
        }
        float[] x = new float[n * embd];
        patchFrame0.matMul(patches, n, x, pool);
        float[] second = new float[n * embd];
        patchFrame1.matMul(patches, n, second, pool);
        VectorMath.addInPlace(x, second);
        float[][] rotary = rotaryTable(rowOf, colOf);
        for (Block b : blocks) {
            float[] h = b.ln1().apply(x, n, pool);
            float[] q = b.q().apply(h, n, pool);
            float[] k = b.k().apply(h, n, pool);
            float[] v = b.v().apply(h, n, pool);
            rotate(q, n, rotary);
            rotate(k, n, rotary);
            float[] att = VisionAttention.run(q, k, v, 1, n, embd, heads, pool);
            VectorMath.addInPlace(x, b.out().apply(att, n, pool));
            h = b.ln2().apply(x, n, pool);
            float[] mid = b.ffnIn().apply(h, n, pool);
            activate(mid, pool);
            VectorMath.addInPlace(x, b.ffnOut().apply(mid, n, pool));
        }
        x = postLn.apply(x, n, pool);
        return new FeatureMap(x, n, embd, ph, pw);
    }

    private void activate(float[] x, Parallel pool) {
        if (gelu) {
            Activations.geluInPlace(x, x.length, false, pool);
        } else if (silu) {
            for (int i = 0; i < x.length; i++) {
                x[i] = Activations.silu(x[i]);
            }
        } else {
            Activations.geluInPlace(x, x.length, true, pool);
        }
    }

    /**
     * cos and sin per patch and pair: pair i (of the head's first half, rotated with i + D/2) turns by the patch row
     * for i < D/4 and by its column above, at frequency base^(−4i'/D) with i' the index within the quarter.
     */
    private float[][] rotaryTable(int[] rowOf, int[] colOf) {
        int hd = embd / heads;
        int half = hd / 2;
        int quarter = hd / 4;
        int n = rowOf.length;
        float[] cos = new float[n * half];
        float[] sin = new float[n * half];
        double[] freq = new double[half];
        for (int i = 0; i < half; i++) {
            freq[i] = Math.pow(ROPE_BASE, -4.0 * (i < quarter ? i : i - quarter) / hd);
        }
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < half; i++) {
                double theta = (i < quarter ? rowOf[p] : colOf[p]) * freq[i];
                cos[p * half + i] = (float) Math.cos(theta);
                sin[p * half + i] = (float) Math.sin(theta);
            }
        }
        return new float[][] {cos, sin};
    }

    private void rotate(float[] x, int n, float[][] rotary) {
        int hd = embd / heads;
        int half = hd / 2;
        float[] cos = rotary[0];
        float[] sin = rotary[1];
        for (int p = 0; p < n; p++) {
            for (int h = 0; h < heads; h++) {
                int base = p * embd + h * hd;
                for (int i = 0; i < half; i++) {
                    float a = x[base + i];
                    float b = x[base + i + half];
                    float c = cos[p * half + i];
                    float s = sin[p * half + i];
                    x[base + i] = a * c - b * s;
                    x[base + i + half] = a * s + b * c;
                }
            }
        }
    }
}
