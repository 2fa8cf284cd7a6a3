package dev.fovea.engine.vision;

/** An 8-bit RGB image, pixels interleaved row by row ({@code rgb[(y·width + x)·3 + c]}). */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        if (width <= 0 || height <= 0 || (long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException("RGB data of " + rgb.length + " bytes for a " + width + "×" + height + " image");
        }
    }

    /** The region [x, x + w) × [y, y + h), which must lie inside the image. */
    public RgbImage crop(int x, int y, int w, int h) {
        if (x < 0 || y < 0 || w <= 0 || h <= 0 || (long) x + w > width || (long) y + h > height) {
            throw new IllegalArgumentException("crop " + w + "×" + h + "+" + x + "+" + y + " is outside the "
                    + width + "×" + height + " image");
        }
        byte[] out = new byte[byteSize(w, h)];
        for (int r = 0; r < h; r++) {
            System.arraycopy(rgb, ((y + r) * width + x) * 3, out, r * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }

    /** This image at (x, y) on a w × h canvas filled with {@code fill} (RGB); it must fit. */
    public RgbImage placedOn(int w, int h, int x, int y, int[] fill) {
        if (x < 0 || y < 0 || (long) x + width > w || (long) y + height > h) {
            throw new IllegalArgumentException("a " + width + "×" + height + " image does not fit at " + x + "," + y
                    + " on " + w + "×" + h);
        }
        byte[] out = new byte[byteSize(w, h)];
        for (int p = 0; p < out.length / 3; p++) {
            out[p * 3] = (byte) fill[0];
            out[p * 3 + 1] = (byte) fill[1];
            out[p * 3 + 2] = (byte) fill[2];
        }
        for (int r = 0; r < height; r++) {
            System.arraycopy(rgb, r * width * 3, out, ((y + r) * w + x) * 3, width * 3);
        }
        return new RgbImage(w, h, out);
    }

    /** The bytes of a w × h image, refused (not overflowed) when they cannot fit one array. */
    private static int byteSize(long w, long h) {
        long bytes = w * h * 3;
        if (w <= 0 || h <= 0 || bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("an image of " + w + "×" + h + " pixels is too large to hold");
        }
        return (int) bytes;
    }

    /** Channel c of pixel (x, y), 0..255. */
    public int at(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }
}
