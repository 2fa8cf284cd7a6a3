package dev.fovea.engine.vision;

import java.io.IOException;
import java.util.Objects;
import javax.imageio.IIOException;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * An image file held in memory, read by ImageIO readers under two bounds that the readers themselves lack: a
 * deadline, and an end. Some readers treat the end of the data as zero bits and keep decoding a header's
 * declared size (TwelveMonkeys' lossless WebP swallows each {@code EOFException} and retries, so a 30-byte file
 * declaring 7000×7000 decoded garbage for minutes); here reading on past the end more than a few times fails.
 * ImageIO's own stream for a byte array would also cache it through a temporary file.
 */
final class ImageBytesStream extends ImageInputStreamImpl {
    /** Reads that may hit the end (readers probe past it) before the data counts as truncated. */
    private static final int PAST_END_READS = 1024;
    /** Reads between two looks at the clock. */
    private static final int CLOCK_EVERY = 1024;

    private final byte[] data;
    private final long deadlineNanos;
    private final String timeLimit;
    private int pastEnd;
    private int untilClock = CLOCK_EVERY;

    /**
     * @param deadlineNanos {@link System#nanoTime()} after which reads fail
     * @param timeLimit     the limit as the error message names it
     */
    ImageBytesStream(byte[] data, long deadlineNanos, String timeLimit) {
        this.data = data;
        this.deadlineNanos = deadlineNanos;
        this.timeLimit = timeLimit;
    }

    @Override
    public int read() throws IOException {
        checkClosed();
        watch();
        bitOffset = 0;
        if (streamPos >= data.length) {
            hitEnd();
            return -1;
        }
        return data[(int) streamPos++] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        checkClosed();
        Objects.checkFromIndexSize(off, len, b.length);
        watch();
        bitOffset = 0;
        if (len == 0) {
            return 0;
        }
        if (streamPos >= data.length) {
            hitEnd();
            return -1;
        }
        int n = (int) Math.min(len, data.length - streamPos);
        System.arraycopy(data, (int) streamPos, b, off, n);
        streamPos += n;
        return n;
    }

    @Override
    public long length() {
        return data.length;
    }

    /** True once the deadline has passed. */
    boolean expired() {
        return System.nanoTime() - deadlineNanos > 0;
    }

    private void watch() throws IIOException {
        if (--untilClock <= 0) {
            untilClock = CLOCK_EVERY;
            if (expired()) {
                throw new IIOException("decoding took longer than the limit of " + timeLimit);
            }
        }
    }

    private void hitEnd() throws IIOException {
        if (++pastEnd > PAST_END_READS) {
            throw new IIOException("the image data ends before the image does (truncated or a forged header)");
        }
    }
}
