package dev.fovea.engine.vision;

/**
 * llama.cpp's CLIP preprocessing (profile {@code llamacpp}): pad to a square at the top-left with RGB
 * (122, 116, 104) (read from a virtual canvas, never allocated), resize to the encoder's size, normalize each channel with the mmproj's mean/std. Output is
 * channel-planar {@code [3][size][size]}.
 *
 * <p>The resize is bilinear with centred pixels, not the cubic the conformance README describes: on the
 * non-square fixture the cubic agrees with the reference to a row cosine of only 0.91, this one to 1.0000000
 * (docs/vision.md). The cubic ({@link #resize}) remains for tiling.
 */
public final class ClipPreprocessor {
    private static final int[] PAD = {122, 116, 104};

    /** How a non-square image becomes square. */
    public enum Profile {
        /** llama.cpp's: pad at the top-left with RGB (122, 116, 104), then resize. */
        LLAMACPP,
        /** The original LLaVA's: pad to a centred square with the mean colour, then resize. */
        CENTER_PAD;

        /** By its name in configs and requests: {@code llamacpp} or {@code center-pad}; empty = llamacpp. */
        public static Profile named(String name) {
            return switch (name == null ? "" : name) {
                case "", "llamacpp" -> LLAMACPP;
                case "center-pad" -> CENTER_PAD;
                default -> throw new IllegalArgumentException("unknown preprocessing profile '" + name
                        + "' (llamacpp, center-pad)");
            };
        }
    }

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
        return apply(img, Profile.LLAMACPP);
    }

    public float[] apply(RgbImage img, Profile profile) {
        // the square is never built: resizing reads the padding from the canvas, so memory follows the image and
        // the encoder's size, not the square of the image's long side
        int side = Math.max(img.width(), img.height());
        if (profile == Profile.CENTER_PAD) {
            int[] fill = new int[3];
            for (int c = 0; c < 3; c++) {
                fill[c] = Math.round(mean[c] * 255);
            }
            Canvas square = new Canvas(img, side, side, (side - img.width()) / 2, (side - img.height()) / 2, fill);
            return normalize(side == size ? square : Canvas.of(resize(square, size, size)));
        }
        Canvas square = new Canvas(img, side, side, 0, 0, PAD);
        return normalize(side == size ? square : Canvas.of(resizeBilinear(square, size, size)));
    }

    /**
     * An image placed at ({@code x}, {@code y}) on a {@code width × height} canvas of colour {@code fill}, read
     * pixel by pixel without being drawn.
     */
    private record Canvas(RgbImage image, int width, int height, int x, int y, int[] fill) {
        static Canvas of(RgbImage image) {
            return new Canvas(image, image.width(), image.height(), 0, 0, PAD);
        }

        int at(int px, int py, int c) {
            int ix = px - x;
            int iy = py - y;
            if (ix < 0 || iy < 0 || ix >= image.width() || iy >= image.height()) {
                return fill[c];
            }
            return image.at(ix, iy, c);
        }
    }

    /**
     * Bilinear resize with pixel centres aligned (source coordinate (j + ½)·sx − ½, clamped at 0), rounded to
     * 8 bits: what the reference did for square-padded images (row cosine 1.0000000 on the non-square fixture).
     */
    static RgbImage resizeBilinear(RgbImage img, int w, int h) {
        return resizeBilinear(Canvas.of(img), w, h);
    }

    private static RgbImage resizeBilinear(Canvas img, int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        float sx = (float) img.width() / w;
        float sy = (float) img.height() / h;
        for (int i = 0; i < h; i++) {
            float fy = Math.max(0f, (i + 0.5f) * sy - 0.5f);
            int y0 = (int) fy;
            int y1 = Math.min(y0 + 1, img.height() - 1);
            float dy = fy - y0;
            for (int j = 0; j < w; j++) {
                float fx = Math.max(0f, (j + 0.5f) * sx - 0.5f);
                int x0 = (int) fx;
                int x1 = Math.min(x0 + 1, img.width() - 1);
                float dx = fx - x0;
                for (int c = 0; c < 3; c++) {
                    float top = img.at(x0, y0, c) * (1 - dx) + img.at(x1, y0, c) * dx;
                    float bottom = img.at(x0, y1, c) * (1 - dx) + img.at(x1, y1, c) * dx;
                    rgb[(i * w + j) * 3 + c] = (byte) Math.round(top * (1 - dy) + bottom * dy);
                }
            }
        }
        return new RgbImage(w, h, rgb);
    }

    /**
     * An image already at the encoder input's size (a MiniCPM-V slice: resized by the slicing, any size) as planar
     * {@code [3][height][width]} pixels normalized with mean/std, as llama.cpp's {@code normalize_image_u8_to_f32}.
     */
    public float[] normalizeAsIs(RgbImage img) {
        return normalize(Canvas.of(img));
    }

    /** Planar pixels of the canvas ({@code [3][height][width]}; size × size for a view), normalized with mean/std. */
    private float[] normalize(Canvas image) {
        int w = image.width();
        int h = image.height();
        float[] out = new float[3 * w * h];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[(c * h + y) * w + x] = (image.at(x, y, c) / 255f - mean[c]) / std[c];
                }
            }
        }
        return out;
    }

    /** llama.cpp's cubic resize: source point (⌊j·sx⌋, ⌊i·sy⌋), cubic along x on four rows, then along y. */
    static RgbImage resize(RgbImage img, int w, int h) {
        return resize(Canvas.of(img), w, h);
    }

    private static RgbImage resize(Canvas img, int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        float sx = (float) img.width() / w;
        float sy = (float) img.height() / h;
        int iw = img.width();
        int ih = img.height();
        float[] col = new float[4];
        for (int i = 0; i < h; i++) {
            int y = (int) (sy * i);
            float dy = sy * i - y;
            for (int j = 0; j < w; j++) {
                int x = (int) (sx * j);
                float dx = sx * j - x;
                for (int c = 0; c < 3; c++) {
                    for (int k = -1; k <= 2; k++) {
                        int yy = clamp(y + k, ih);
                        col[k + 1] = cubic(img.at(clamp(x - 1, iw), yy, c), img.at(clamp(x, iw), yy, c),
                                img.at(clamp(x + 1, iw), yy, c), img.at(clamp(x + 2, iw), yy, c), dx);
                    }
                    float v = cubic(col[0], col[1], col[2], col[3], dy);
                    rgb[(i * w + j) * 3 + c] = (byte) Math.min(255, Math.max(0, Math.round(v)));
                }
            }
        }
        return new RgbImage(w, h, rgb);
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
}
