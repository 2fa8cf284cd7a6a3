package dev.fovea.engine.adapter;

import dev.fovea.engine.layers.DenseLayer;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.FeatureMap;
import java.util.List;

/**
 * Idefics3 / SmolVLM connector: each {@code r × r} block of neighbouring patches becomes one token whose channels
 * are the block's features side by side, then one linear map (no bias) takes them to the LLM's width.
 *
 * <p>Channel order (that of Idefics3's {@code pixel_shuffle}): output token {@code (R, C)} on the
 * {@code (gh/r) × (gw/r)} grid has, at channel {@code (i·r + j)·d + c}, feature {@code c} of input patch
 * {@code (R·r + i, C·r + j)} — the block's rows outermost, then its columns, then the encoder channels.
 */
public final class PixelShuffleProjector implements Projector {
    /** llama.cpp's {@code clip.projector_type} for this connector. */
    public static final String KIND = "idefics3";

    private final int scale;
    private final int inputDim;
    private final DenseLayer fc;

    PixelShuffleProjector(int scale, DenseLayer fc) {
        if (scale <= 0) {
            throw new IllegalArgumentException("pixel shuffle scale must be positive, got " + scale);
        }
        if (fc.inputDim() % (scale * scale) != 0) {
            throw new IllegalArgumentException("projection input " + fc.inputDim() + " is not a multiple of "
                    + scale + "²");
        }
        this.scale = scale;
        this.inputDim = fc.inputDim() / (scale * scale);
        this.fc = fc;
    }

    public int scale() {
        return scale;
    }

    /** Width of the encoder features this connector takes. */
    public int inputDim() {
        return inputDim;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public int outputDim() {
        return fc.outputDim();
    }

    /** Token count only: the grid must be square with a side divisible by the scale, as in Idefics3. */
    @Override
    public int outputTokens(List<Integer> inputTokens) {
        if (inputTokens.size() != 1) {
            throw new IllegalArgumentException("pixel shuffle takes one input, got " + inputTokens.size());
        }
        int t = inputTokens.getFirst();
        int side = (int) Math.round(Math.sqrt(t));
        if (side * side != t || side % scale != 0) {
            throw new IllegalArgumentException(t + " patches are not a square grid with a side divisible by " + scale);
        }
        return t / (scale * scale);
    }

    @Override
    public FeatureMap project(List<FeatureMap> inputs, Parallel pool) {
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("pixel shuffle takes one input, got " + inputs.size());
        }
        FeatureMap x = inputs.getFirst();
        if (x.dim() != inputDim) {
            throw new IllegalArgumentException("pixel shuffle expects features of width " + inputDim + ", got " + x.dim());
        }
        FeatureMap shuffled = shuffle(x, scale);
        float[] out = fc.apply(shuffled.data(), shuffled.tokens(), pool);
        return new FeatureMap(out, shuffled.tokens(), outputDim(), shuffled.gridHeight(), shuffled.gridWidth());
    }

    /** Space-to-depth by {@code r} in the channel order described on the class. */
    static FeatureMap shuffle(FeatureMap x, int r) {
        int gh = x.gridHeight(), gw = x.gridWidth(), d = x.dim();
        if (gh % r != 0 || gw % r != 0) {
            throw new IllegalArgumentException("patch grid " + gh + "×" + gw + " is not divisible by the scale " + r);
        }
        int oh = gh / r, ow = gw / r, od = d * r * r;
        float[] src = x.data();
        float[] out = new float[src.length];
        for (int row = 0; row < oh; row++) {
            for (int col = 0; col < ow; col++) {
                int dst = (row * ow + col) * od;
                for (int i = 0; i < r; i++) {
                    for (int j = 0; j < r; j++) {
                        int patch = (row * r + i) * gw + col * r + j;
                        System.arraycopy(src, patch * d, out, dst + (i * r + j) * d, d);
                    }
                }
            }
        }
        return new FeatureMap(out, oh * ow, od, oh, ow);
    }
}
