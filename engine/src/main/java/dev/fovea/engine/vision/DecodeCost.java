package dev.fovea.engine.vision;

import java.util.Locale;

/**
 * What decoding a declared image must cost, checked before decoding it: the time at a format's decoding cost per
 * pixel, and for PNG the least data that can hold the pixels.
 */
final class DecodeCost {
    /** Deflate's best ratio: one byte of compressed data expands to at most this many. */
    private static final long DEFLATE_MAX_RATIO = 1032;

    /**
     * Nanoseconds a pixel costs to decode (including the copy to RGB), measured on the 2-core build machine with
     * 12-megapixel images (docs/vision.md): an image whose declared size cannot decode in time is refused at once
     * instead of after the time limit.
     */
    private static double nanosPerPixel(String format) {
        return switch (format) {
            case "gif" -> 80;
            case "webp" -> 70;
            case "png" -> 50;
            case "jpeg", "jpg" -> 40;
            default -> 25;
        };
    }

    private DecodeCost() {
    }

    static void check(String format, long fileBytes, long width, long height, long limitNanos, String limitText)
            throws ImageException {
        String f = format == null ? "" : format.toLowerCase(Locale.ROOT);
        if (f.equals("png")) {
            // the least raw data: one filter byte a row and one bit a pixel (1-bit greyscale)
            long raw = height * (1 + (width + 7) / 8);
            if (fileBytes * DEFLATE_MAX_RATIO < raw) {
                throw new ImageException("a file of " + fileBytes + " bytes is too small to hold the " + width + "×"
                        + height + " PNG it declares");
            }
        }
        if (width * height * nanosPerPixel(f) > limitNanos) {
            throw new ImageException("an image of " + width + "×" + height + " pixels would take longer to decode than"
                    + " the limit of " + limitText);
        }
    }
}
