package dev.fovea.engine.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Little-endian reader over the header of a mapped GGUF file; every read is checked against the file's end. */
final class GgufCursor {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Longest string accepted (metadata strings such as chat templates are kilobytes; 64 MiB is generous). */
    static final long MAX_STRING_BYTES = 64L << 20;

    private final MemorySegment segment;
    /** The file, named first in every error. */
    private final String file;
    private final long size;
    private long position;
    private String context = "header";

    GgufCursor(MemorySegment segment, String file) {
        this.segment = segment;
        this.file = file;
        this.size = segment.byteSize();
    }

    long position() {
        return position;
    }

    long remaining() {
        return size - position;
    }

    /** Names what is being read, for error messages. */
    void context(String context) {
        this.context = context;
    }

    GgufFormatException error(String message) {
        return new GgufFormatException(file + ": " + message + " (at byte " + position + ", reading " + context + ")");
    }

    private void need(long bytes) throws GgufFormatException {
        if (bytes < 0 || bytes > remaining()) {
            throw error("file truncated: need " + bytes + " bytes, " + remaining() + " left");
        }
    }

    byte i8() throws GgufFormatException {
        need(1);
        return segment.get(ValueLayout.JAVA_BYTE, position++);
    }

    short i16() throws GgufFormatException {
        need(2);
        short v = segment.get(I16, position);
        position += 2;
        return v;
    }

    int i32() throws GgufFormatException {
        need(4);
        int v = segment.get(I32, position);
        position += 4;
        return v;
    }

    long u32() throws GgufFormatException {
        return Integer.toUnsignedLong(i32());
    }

    long i64() throws GgufFormatException {
        need(8);
        long v = segment.get(I64, position);
        position += 8;
        return v;
    }

    float f32() throws GgufFormatException {
        need(4);
        float v = segment.get(F32, position);
        position += 4;
        return v;
    }

    double f64() throws GgufFormatException {
        need(8);
        double v = segment.get(F64, position);
        position += 8;
        return v;
    }

    /** A count stored as u64 that must fit in an int and in what is left of the file at {@code minBytesEach}. */
    int count(String what, long minBytesEach) throws GgufFormatException {
        long n = i64();
        if (n < 0 || n > Integer.MAX_VALUE - 8 || (minBytesEach > 0 && n > remaining() / minBytesEach)) {
            throw error(what + " count " + Long.toUnsignedString(n) + " is impossible for a file of " + size + " bytes");
        }
        return (int) n;
    }

    String string() throws GgufFormatException {
        long len = i64();
        if (len < 0 || len > MAX_STRING_BYTES || len > remaining()) {
            throw error("string length " + Long.toUnsignedString(len) + " exceeds the file or the "
                    + MAX_STRING_BYTES + "-byte limit");
        }
        byte[] bytes = new byte[(int) len];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, position, bytes, 0, (int) len);
        position += len;
        // invalid sequences become U+FFFD, as llama.cpp shows them; vocab tokens are valid UTF-8 in practice
        return new String(bytes, StandardCharsets.UTF_8);
    }

    void skipTo(long newPosition) throws GgufFormatException {
        if (newPosition < position || newPosition > size) {
            throw error("cannot move to byte " + newPosition);
        }
        position = newPosition;
    }
}
