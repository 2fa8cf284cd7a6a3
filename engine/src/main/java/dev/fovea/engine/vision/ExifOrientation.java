package dev.fovea.engine.vision;

import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;

/**
 * The EXIF orientation of a JPEG (1 = as stored … 8) and the transform that shows the image upright, as cameras
 * and phones expect viewers to apply it.
 */
final class ExifOrientation {
    private static final int APP1 = 0xFFE1;
    private static final long METADATA_TIME_NANOS = 1_000_000_000L;

    private ExifOrientation() {
    }

    /** The orientation tag, 1 when the file has none or is not a JPEG with EXIF data. */
    static int read(byte[] jpeg) {
        if (jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
            return 1;
        }
        // read from memory with a bound: segment scanning on a hostile file must not outlast the decoding it follows
        try (ImageInputStream in = new ImageBytesStream(jpeg, System.nanoTime() + METADATA_TIME_NANOS, "1 s")) {
            List<JPEGSegment> segments = JPEGSegmentUtil.readSegments(in, APP1, "Exif");
            if (segments.isEmpty()) {
                return 1;
            }
            InputStream data = segments.getFirst().data();
            data.read(); // the pad byte after "Exif\0"
            try (ImageInputStream exif = ImageIO.createImageInputStream(data)) {
                Directory dir = new TIFFReader().read(exif);
                Entry e = dir.getEntryById(TIFF.TAG_ORIENTATION);
                if (e == null || !(e.getValue() instanceof Number n)) {
                    return 1;
                }
                int o = n.intValue();
                return o >= 1 && o <= 8 ? o : 1;
            }
        } catch (IOException | RuntimeException e) {
            return 1; // unreadable metadata: show the pixels as stored
        }
    }

    /** The image as it should be shown for this orientation. */
    static RgbImage apply(RgbImage img, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return img;
        }
        int w = img.width();
        int h = img.height();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        byte[] out = new byte[img.rgb().length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                // source pixel for output (x, y)
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; } // 8
                }
                System.arraycopy(img.rgb(), (sy * w + sx) * 3, out, (y * ow + x) * 3, 3);
            }
        }
        return new RgbImage(ow, oh, out);
    }
}
