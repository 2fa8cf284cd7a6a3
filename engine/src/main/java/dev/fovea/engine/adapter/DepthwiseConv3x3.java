package dev.fovea.engine.adapter;

import dev.fovea.engine.tensor.Parallel;

/**
 * A 3×3 depthwise convolution over a channels-last patch grid ({@code [h][w][c]}), zero padding of 1, as ggml's
 * {@code conv_2d_dw} computes it for MobileVLM's projectors: each channel has its own nine weights, kx fastest
 * ({@code kernel[9c + 3ky + kx]}, the order of a GGUF kernel {@code [3, 3, c, 1]}), summed in that order.
 */
final class DepthwiseConv3x3 {
    private DepthwiseConv3x3() {
    }

    /** Output side for an input side and a stride. */
    static int outputSide(int side, int stride) {
        return (side - 1) / stride + 1;
    }

    /** The convolution of {@code in} at {@code stride}; {@code bias} may be null. */
    static float[] apply(float[] in, int h, int w, int c, float[] kernel, float[] bias, int stride, Parallel pool) {
        int oh = outputSide(h, stride);
        int ow = outputSide(w, stride);
        float[] out = new float[oh * ow * c];
        pool.forRange(oh, (from, to) -> {
            for (int y = from; y < to; y++) {
                for (int x = 0; x < ow; x++) {
                    int o = (y * ow + x) * c;
                    for (int ch = 0; ch < c; ch++) {
                        float s = 0;
                        for (int ky = 0; ky < 3; ky++) {
                            int sy = stride * y + ky - 1;
                            if (sy < 0 || sy >= h) {
                                continue;
                            }
                            for (int kx = 0; kx < 3; kx++) {
                                int sx = stride * x + kx - 1;
                                if (sx >= 0 && sx < w) {
                                    s += kernel[9 * ch + 3 * ky + kx] * in[(sy * w + sx) * c + ch];
                                }
                            }
                        }
                        out[o + ch] = bias == null ? s : s + bias[ch];
                    }
                }
            }
        });
        return out;
    }
}
