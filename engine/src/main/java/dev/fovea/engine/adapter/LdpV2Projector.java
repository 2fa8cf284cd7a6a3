package dev.fovea.engine.adapter;

import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.FeatureMap;
import java.util.List;

/**
 * MobileVLM V2's lightweight downsample projector, {@code ldpv2}: Linear ({@code mm.model.mlp.0}) → GELU → Linear
 * ({@code mm.model.mlp.2}), a 2×2 average pool of the patch grid (24 × 24 → 12 × 12 for CLIP-L/336, a quarter of the
 * tokens), then a positional-encoding generator: a 3×3 depthwise convolution with zero padding and bias
 * ({@code mm.model.peg.0}) added to the pooled features. Computed as llama.cpp's graph does, except that llama.cpp
 * fixes the grid at 24 × 24 where this takes the tower's grid (any even size).
 */
public final class LdpV2Projector implements Projector {
    public static final String KIND = "ldpv2";

    /** {@code mm.model.mlp.0} → GELU → {@code mm.model.mlp.2}: LLaVA's two-layer MLP, grid kept. */
    private final MlpProjector mlp;
    /** Per channel c, the 3×3 kernel at [9c + 3·ky + kx]. */
    private final float[] kernel;
    private final float[] kernelBias;

    public LdpV2Projector(MlpProjector mlp, float[] kernel, float[] kernelBias) {
        int c = mlp.outputDim();
        if (kernel.length != 9L * c || kernelBias.length != c) {
            throw new IllegalArgumentException("ldpv2's depthwise kernel of " + kernel.length + " values and bias of "
                    + kernelBias.length + " do not fit its " + c + " channels");
        }
        this.mlp = mlp;
        this.kernel = kernel;
        this.kernelBias = kernelBias;
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
        int gh = in.gridHeight();
        int gw = in.gridWidth();
        if (gh % 2 != 0 || gw % 2 != 0 || gh < 2) {
            throw new IllegalArgumentException(KIND + " pools 2×2: the patch grid must have even sides, got " + gh
                    + "×" + gw);
        }
        float[] h = mlp.project(List.of(in), pool).data();
        int c = outputDim();
        int oh = gh / 2;
        int ow = gw / 2;
        // 2×2 average pool, summed row by row as ggml's pool_2d does, then divided
        float[] pooled = new float[oh * ow * c];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int o = (y * ow + x) * c;
                int a = (2 * y * gw + 2 * x) * c;
                int b = ((2 * y + 1) * gw + 2 * x) * c;
                for (int ch = 0; ch < c; ch++) {
                    float s = 0;
                    s += h[a + ch];
                    s += h[a + c + ch];
                    s += h[b + ch];
                    s += h[b + c + ch];
                    pooled[o + ch] = s / 4;
                }
            }
        }
        // the positional-encoding generator: depthwise 3×3 convolution plus its bias, plus the pooled features
        float[] out = DepthwiseConv3x3.apply(pooled, oh, ow, c, kernel, kernelBias, 1, pool);
        for (int i = 0; i < out.length; i++) {
            out[i] += pooled[i];
        }
        return new FeatureMap(out, oh * ow, c, oh, ow);
    }
}
