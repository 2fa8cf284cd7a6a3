package dev.fovea.engine.vision;

/**
 * llama.cpp's CLIP preprocessing (profile {@code llamacpp}): pad to a square at the top-left with RGB
 * (122, 116, 104), resize to the encoder's size with its cubic filter, normalize each channel with the mmproj's
 * mean/std. Output is channel-planar {@code [3][size][size]}.
 */
public final class ClipPreprocessor {
    private static final int[] PAD = {122, 116, 104};

    private final int size;
    private final float[] mean;
    private final float[] std;

    public ClipPreprocessor(int size, float[] mean, float[] std) {
        if (size <= 0 || mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("preprocessing needs a positive size and 3-channel mean/std");
        }
        this.size = size;
        this.mean = mean.clone();
        this.std = std.clone();
    }

    public int size() {
        return size;
    }

    public float[] apply(RgbImage img) {
        RgbImage square = padTopLeft(img);
        float[] out = new float[3 * size * size];
        int src = square.width();
        float scale = (float) src / size;
        float[] col = new float[4];
        for (int i = 0; i < size; i++) {
            float fy = i * scale;
            int y = (int) Math.floor(fy);
            float dy = fy - y;
            for (int j = 0; j < size; j++) {
                float fx = j * scale;
                int x = (int) Math.floor(fx);
                float dx = fx - x;
                for (int c = 0; c < 3; c++) {
                    for (int k = -1; k <= 2; k++) {
                        int yy = clamp(y + k, src);
                        col[k + 1] = cubic(square.at(clamp(x - 1, src), yy, c), square.at(clamp(x, src), yy, c),
                                square.at(clamp(x + 1, src), yy, c), square.at(clamp(x + 2, src), yy, c), dx);
                    }
                    float v = cubic(col[0], col[1], col[2], col[3], dy);
                    int q = Math.min(255, Math.max(0, Math.round(v)));
                    out[(c * size + i) * size + j] = (q / 255f - mean[c]) / std[c];
                }
            }
        }
        return out;
    }

    /** The Lagrange cubic through p(-1), p(0), p(1), p(2), evaluated at t, in float as llama.cpp computes it. */
    private static float cubic(float pm1, float p0, float p1, float p2, float t) {
        float d0 = pm1 - p0;
        float d2 = p1 - p0;
        float d3 = p2 - p0;
        float a1 = -1f / 3 * d0 + d2 - 1f / 6 * d3;
        float a2 = 1f / 2 * d0 + 1f / 2 * d2;
        float a3 = -1f / 6 * d0 - 1f / 2 * d2 + 1f / 6 * d3;
        return p0 + a1 * t + a2 * t * t + a3 * t * t * t;
    }

    private static int clamp(int v, int n) {
        return Math.max(0, Math.min(n - 1, v));
    }

    private static RgbImage padTopLeft(RgbImage img) {
        if (img.width() == img.height()) {
            return img;
        }
        int s = Math.max(img.width(), img.height());
        byte[] rgb = new byte[s * s * 3];
        for (int p = 0; p < s * s; p++) {
            rgb[p * 3] = (byte) PAD[0];
            rgb[p * 3 + 1] = (byte) PAD[1];
            rgb[p * 3 + 2] = (byte) PAD[2];
        }
        for (int y = 0; y < img.height(); y++) {
            System.arraycopy(img.rgb(), y * img.width() * 3, rgb, y * s * 3, img.width() * 3);
        }
        return new RgbImage(s, s, rgb);
    }
}
