package dev.fovea.engine.vision;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;

/**
 * Decodes PNG, JPEG (EXIF orientation applied), WebP (TwelveMonkeys' ImageIO plugin), GIF (first frame) and BMP
 * into RGB, within bounds that no file can push it past:
 * <ul>
 *   <li>the dimensions are read from the header first and checked against the {@link ImageLimits} before any
 *       pixel is decoded, so a small file claiming a huge image (a decompression bomb) costs nothing;</li>
 *   <li>a file too small to hold the image it declares is refused where the format makes that knowable (PNG:
 *       deflate packs at most 1032 bytes into one), and so is an image whose declared pixels would take longer
 *       than the time limit at its format's decoding cost;</li>
 *   <li>decoding has a time limit: the stream fails every read after the deadline, a watchdog aborts the reader
 *       (for readers that check), and a reader that reads on past the end of the data fails.</li>
 * </ul>
 * The caller still runs this off I/O threads, with its own timeout as the last resort against a reader that
 * heeds neither.
 */
public final class ImageDecoder {
    /** Default pixel limit: 50 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = ImageLimits.DEFAULT_MAX_PIXELS;
    /** Default time limit for decoding one image. */
    public static final Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(5);

    private static final ScheduledExecutorService WATCHDOG = watchdog();

    private final ImageLimits limits;

    private static ScheduledExecutorService watchdog() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().name("fovea-image-watchdog").daemon().unstarted(r));
        // a cancelled abort leaves the queue at once rather than holding its reader until its delay is over
        e.setRemoveOnCancelPolicy(true);
        return e;
    }

    public ImageDecoder(ImageLimits limits) {
        this.limits = limits;
    }

    /** The given pixel limit and the default aspect ratio limit. */
    public ImageDecoder(long maxPixels) {
        this(ImageLimits.ofPixels(maxPixels));
    }

    public ImageDecoder() {
        this(ImageLimits.defaults());
    }

    public ImageLimits limits() {
        return limits;
    }

    /** Decodes within {@link #DEFAULT_TIME_LIMIT}. */
    public RgbImage decode(byte[] bytes) throws ImageException {
        return decode(bytes, DEFAULT_TIME_LIMIT);
    }

    /** Decodes within {@code timeLimit}, or throws an {@link ImageException} naming the limit. */
    public RgbImage decode(byte[] bytes, Duration timeLimit) throws ImageException {
        return withReader(bytes, timeLimit, (reader, header, in, limitText) -> {
            ScheduledFuture<?> watchdog = WATCHDOG.schedule(reader::abort, timeLimit.toNanos(), TimeUnit.NANOSECONDS);
            BufferedImage img;
            try {
                img = reader.read(0);
            } finally {
                watchdog.cancel(false);
            }
            if (img == null || in.expired()) {
                throw overTime(limitText);
            }
            RgbImage rgb = toRgb(img, in, limitText);
            return ExifOrientation.apply(rgb, ExifOrientation.read(bytes));
        });
    }

    /**
     * The format and size that the file's header declares, refused as {@link #decode} would refuse them (limits,
     * data too small, decoding cost over {@link #DEFAULT_TIME_LIMIT}) without decoding a pixel: the cheap checks
     * for a caller that passes the file on (the gateway).
     */
    public ImageHeader inspect(byte[] bytes) throws ImageException {
        return withReader(bytes, DEFAULT_TIME_LIMIT, (reader, header, in, limitText) -> header);
    }

    private interface ReaderWork<T> {
        T run(ImageReader reader, ImageHeader header, ImageBytesStream in, String limitText)
                throws IOException, ImageException;
    }

    /** Opens a reader on the bytes, checks the header against every cheap bound, then runs {@code work}. */
    private <T> T withReader(byte[] bytes, Duration timeLimit, ReaderWork<T> work) throws ImageException {
        if (bytes == null || bytes.length == 0) {
            throw new ImageException("empty image data");
        }
        if (timeLimit.isNegative() || timeLimit.isZero()) {
            throw new IllegalArgumentException("the decoding time limit must be positive");
        }
        long limitNanos = timeLimit.toNanos();
        String limitText = describe(timeLimit);
        ImageBytesStream in = new ImageBytesStream(bytes, System.nanoTime() + limitNanos, limitText);
        try (in) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageException("not a supported image format (PNG, JPEG, WebP, GIF, BMP)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                limits.check(w, h);
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                DecodeCost.check(format, bytes.length, w, h, limitNanos, limitText);
                return work.run(reader, new ImageHeader(format, w, h), in, limitText);
            } finally {
                reader.dispose();
            }
        } catch (ImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (in.expired()) {
                throw overTime(limitText);
            }
            throw new ImageException("cannot decode image: " + reason(e), e);
        }
    }

    private static ImageException overTime(String limitText) {
        return new ImageException("decoding the image took longer than the limit of " + limitText);
    }

    /** The reader's own words when they are meant for people, never a class name. */
    private static String reason(Exception e) {
        String m = e.getMessage();
        if (m == null || m.isBlank() || m.contains("java.") || m.contains("javax.") || m.contains("Exception")) {
            return "the data is malformed";
        }
        return m;
    }

    private static String describe(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%d ms", ms);
    }

    private static RgbImage toRgb(BufferedImage img, ImageBytesStream in, String limitText) throws ImageException {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            if ((y & 63) == 0 && in.expired()) {
                throw overTime(limitText);
            }
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
