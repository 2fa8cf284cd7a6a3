package dev.fovea.engine.vision;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes PNG, JPEG (EXIF orientation applied), WebP (TwelveMonkeys' ImageIO plugin), GIF (first frame) and BMP
 * into RGB.
 * The dimensions are read from the header first and images over the pixel limit are refused before any pixel
 * is decoded, so a small file claiming a huge image (a decompression bomb) costs nothing.
 */
public final class ImageDecoder {
    /** Default limit: 50 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;

    private final long maxPixels;

    public ImageDecoder(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("pixel limit must be positive");
        }
        this.maxPixels = maxPixels;
    }

    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS);
    }

    public RgbImage decode(byte[] bytes) throws ImageException {
        if (bytes == null || bytes.length == 0) {
            throw new ImageException("empty image data");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageException("not a supported image format (PNG, JPEG, WebP, GIF, BMP)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w <= 0 || h <= 0) {
                    throw new ImageException("image has no pixels (" + w + "×" + h + ")");
                }
                if ((long) w * h > maxPixels) {
                    throw new ImageException("image of " + w + "×" + h + " pixels exceeds the limit of " + maxPixels
                            + " pixels");
                }
                BufferedImage img = reader.read(0);
                return ExifOrientation.apply(toRgb(img), ExifOrientation.read(bytes));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new ImageException("cannot decode image: " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
        }
    }

    private static RgbImage toRgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] rgb = new byte[w * h * 3];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                int o = (y * w + x) * 3;
                rgb[o] = (byte) (p >> 16);
                rgb[o + 1] = (byte) (p >> 8);
                rgb[o + 2] = (byte) p;
            }
        }
        return new RgbImage(w, h, rgb);
    }
}
