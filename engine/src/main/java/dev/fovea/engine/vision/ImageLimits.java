package dev.fovea.engine.vision;

/**
 * What an image may be before any pixel of it is decoded: at most {@code maxPixels} pixels and no side more than
 * {@code maxAspectRatio} times the other. The one rule for the gateway (which sees only headers) and the decoder,
 * so both refuse the same images with the same words. Sizes are checked in {@code long}: a header may declare any
 * 32-bit width and height.
 *
 * @param maxPixels      most pixels (width × height); at most {@link #PIXEL_CEILING}, so that the decoded image
 *                       and its RGB copy fit Java arrays
 * @param maxAspectRatio most times the long side may exceed the short one (Qwen2-VL's limit of 200 is the model)
 */
public record ImageLimits(long maxPixels, int maxAspectRatio) {
    /** Default pixel limit: 50 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;
    /** Default aspect ratio limit: 200:1. */
    public static final int DEFAULT_MAX_ASPECT_RATIO = 200;
    /** The largest pixel limit that can be configured: a decoded image of 4 bytes a pixel must fit an array. */
    public static final long PIXEL_CEILING = (Integer.MAX_VALUE - 8) / 4;

    public ImageLimits {
        if (maxPixels <= 0 || maxPixels > PIXEL_CEILING) {
            throw new IllegalArgumentException("the image pixel limit must be between 1 and " + PIXEL_CEILING
                    + ", got " + maxPixels);
        }
        if (maxAspectRatio < 1) {
            throw new IllegalArgumentException("the image aspect ratio limit must be at least 1, got " + maxAspectRatio);
        }
    }

    public static ImageLimits defaults() {
        return new ImageLimits(DEFAULT_MAX_PIXELS, DEFAULT_MAX_ASPECT_RATIO);
    }

    /** The given pixel limit with the default aspect ratio limit. */
    public static ImageLimits ofPixels(long maxPixels) {
        return new ImageLimits(maxPixels, DEFAULT_MAX_ASPECT_RATIO);
    }

    /** Refuses an image of {@code width × height} (as a header declares it) that breaks a limit. */
    public void check(long width, long height) throws ImageException {
        if (width <= 0 || height <= 0) {
            throw new ImageException("image has no pixels (" + width + "×" + height + ")");
        }
        if (width > maxPixels || height > maxPixels || width * height > maxPixels) {
            throw new ImageException("image of " + width + "×" + height + " pixels exceeds the limit of " + maxPixels
                    + " pixels");
        }
        long longSide = Math.max(width, height);
        long shortSide = Math.min(width, height);
        if (longSide > shortSide * maxAspectRatio) {
            throw new ImageException("image of " + width + "×" + height + " pixels has an aspect ratio beyond the limit of "
                    + maxAspectRatio + ":1");
        }
    }
}
