package dev.fovea.engine.vision;

/** An 8-bit RGB image, pixels interleaved row by row ({@code rgb[(y·width + x)·3 + c]}). */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        if (width <= 0 || height <= 0 || (long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException("RGB data of " + rgb.length + " bytes for a " + width + "×" + height + " image");
        }
    }

    /** Channel c of pixel (x, y), 0..255. */
    public int at(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }
}
