package dev.fovea.engine.adapter;

import dev.fovea.engine.layers.DenseLayer;
import dev.fovea.engine.layers.LayerNormWeights;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.FeatureMap;
import java.util.List;

/**
 * MobileVLM's lightweight downsample projector, {@code ldp}: Linear ({@code mm.model.mlp.1}) → GELU → Linear
 * ({@code mm.model.mlp.3}), then two MobileNet-V3 blocks over the patch grid ({@code mm.model.mb_block.1|2}): a 3×3
 * depthwise convolution (stride 1, then 2: a quarter of the tokens), LayerNorm over the channels, hard-swish, a
 * squeeze-and-excitation gate (global average → Linear → ReLU → Linear → hard-sigmoid, per channel), a pointwise
 * Linear and a LayerNorm; the first block adds its input back. Computed as llama.cpp's graph does, except that
 * llama.cpp fixes the grid at 24 × 24 where this takes the tower's grid.
 */
public final class LdpProjector implements Projector {
    public static final String KIND = "ldp";

    /**
     * One block: {@code kernel} the depthwise 3×3 weights ({@code [9c + 3ky + kx]}), {@code norm} after it, the
     * gate's {@code squeeze} and {@code excite} layers, the bias-free {@code pointwise} layer and {@code outNorm}.
     */
    record Block(float[] kernel, LayerNormWeights norm, DenseLayer squeeze, DenseLayer excite, DenseLayer pointwise,
                 LayerNormWeights outNorm, int stride, boolean residual) {
    }

    /** {@code mm.model.mlp.1} → GELU → {@code mm.model.mlp.3}: LLaVA's two-layer MLP, grid kept. */
    private final MlpProjector mlp;
    private final Block[] blocks;

    LdpProjector(MlpProjector mlp, Block... blocks) {
        int c = mlp.outputDim();
        for (Block b : blocks) {
            if (b.kernel.length != 9L * c || b.norm.dim() != c || b.squeeze.inputDim() != c
                    || b.excite.inputDim() != b.squeeze.outputDim() || b.excite.outputDim() != c
                    || b.pointwise.inputDim() != c || b.pointwise.outputDim() != c || b.outNorm.dim() != c) {
                throw new IllegalArgumentException("an ldp block does not fit " + c + " channels");
            }
        }
        this.mlp = mlp;
        this.blocks = blocks;
    }

    @Override
    public String kind() {
        return KIND;
    }

    public int inputDim() {
        return mlp.inputDim();
    }

    @Override
    public int outputDim() {
        return mlp.outputDim();
    }

    @Override
    public int outputTokens(List<Integer> inputTokens) {
        return inputTokens.getFirst() / 4;
    }

    @Override
    public FeatureMap project(List<FeatureMap> inputs, Parallel pool) {
        FeatureMap in = Projector.singleInput(KIND, inputs, inputDim());
        int h = in.gridHeight();
        int w = in.gridWidth();
        if (h % 2 != 0 || w % 2 != 0 || h < 2) {
            throw new IllegalArgumentException(KIND + " halves the patch grid: its sides must be even, got " + h + "×" + w);
        }
        float[] x = mlp.project(List.of(in), pool).data();
        int c = outputDim();
        for (Block b : blocks) {
            float[] y = DepthwiseConv3x3.apply(x, h, w, c, b.kernel, null, b.stride, pool);
            int oh = DepthwiseConv3x3.outputSide(h, b.stride);
            int ow = DepthwiseConv3x3.outputSide(w, b.stride);
            int n = oh * ow;
            y = b.norm.apply(y, n, pool);
            for (int i = 0; i < y.length; i++) {
                float v = y[i];
                y[i] = v * Math.min(1f, Math.max(0f, (v + 3f) / 6f)); // hard-swish, as ggml writes it
            }
            // squeeze and excitation: each channel's mean over the grid (summed in row order, then divided)
            float[] mean = new float[c];
            for (int t = 0; t < n; t++) {
                for (int ch = 0; ch < c; ch++) {
                    mean[ch] += y[t * c + ch];
                }
            }
            for (int ch = 0; ch < c; ch++) {
                mean[ch] /= n;
            }
            float[] gate = b.squeeze.apply(mean, 1, pool);
            for (int i = 0; i < gate.length; i++) {
                gate[i] = Math.max(0f, gate[i]);
            }
            gate = b.excite.apply(gate, 1, pool);
            for (int i = 0; i < c; i++) {
                gate[i] = Math.min(1f, Math.max(0f, (gate[i] + 3f) / 6f)); // hard-sigmoid
            }
            for (int t = 0; t < n; t++) {
                for (int ch = 0; ch < c; ch++) {
                    y[t * c + ch] *= gate[ch];
                }
            }
            y = b.outNorm.apply(b.pointwise.apply(y, n, pool), n, pool);
            if (b.residual) {
                for (int i = 0; i < y.length; i++) {
                    y[i] = x[i] + y[i];
                }
            }
            x = y;
            h = oh;
            w = ow;
        }
        return new FeatureMap(x, h * w, c, h, w);
    }
}
