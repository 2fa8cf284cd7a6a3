package dev.fovea.engine.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Growable little-endian byte buffer that serializes the parts of a GGUF header: strings, typed metadata values and
 * tensor infos. Values are checked against the Java representation {@link GgufValue} documents (the one
 * {@link GgufFile} reads back), so what is written is exactly what a reader will see.
 */
final class GgufHeaderBuffer {
    private byte[] bytes = new byte[1 << 16];
    private int size;

    int size() {
        return size;
    }

    ByteBuffer asByteBuffer() {
        return ByteBuffer.wrap(bytes, 0, size);
    }

    private void ensure(int more) {
        if (more > bytes.length - size) {
            long wanted = Math.max((long) bytes.length * 2, (long) size + more);
            if (wanted > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("GGUF header larger than 2 GiB");
            }
            bytes = Arrays.copyOf(bytes, (int) wanted);
        }
    }

    void u8(int v) {
        ensure(1);
        bytes[size++] = (byte) v;
    }

    void u16(int v) {
        ensure(2);
        bytes[size++] = (byte) v;
        bytes[size++] = (byte) (v >>> 8);
    }

    void u32(int v) {
        ensure(4);
        ByteBuffer.wrap(bytes, size, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(v);
        size += 4;
    }

    void u64(long v) {
        ensure(8);
        ByteBuffer.wrap(bytes, size, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
        size += 8;
    }

    void string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        u64(utf8.length);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, bytes, size, utf8.length);
        size += utf8.length;
    }

    /** Writes the value's type id and the value, as a metadata entry does after its key. */
    void typedValue(String key, GgufValue v) {
        u32(v.type().id());
        value(key, v);
    }

    private void value(String key, GgufValue v) {
        GgufValueType type = v.type();
        Object o = v.value();
        if (o == null) {
            throw new IllegalArgumentException("metadata '" + key + "': null value");
        }
        if (type != GgufValueType.ARRAY && v.elementType() != null) {
            throw new IllegalArgumentException("metadata '" + key + "': a " + type + " has no element type");
        }
        switch (type) {
            case UINT8 -> u8((int) integer(key, type, o, 0, 0xFF));
            case INT8 -> u8((int) integer(key, type, o, Byte.MIN_VALUE, Byte.MAX_VALUE));
            case UINT16 -> u16((int) integer(key, type, o, 0, 0xFFFF));
            case INT16 -> u16((int) integer(key, type, o, Short.MIN_VALUE, Short.MAX_VALUE));
            case UINT32 -> u32((int) integer(key, type, o, 0, 0xFFFF_FFFFL));
            case INT32 -> u32((int) integer(key, type, o, Integer.MIN_VALUE, Integer.MAX_VALUE));
            // 64-bit: a Long carries all 64 bits; UINT64 values above 2^63 arrive as negative longs, as the reader gives them
            case UINT64, INT64 -> u64(integer(key, type, o, Long.MIN_VALUE, Long.MAX_VALUE));
            case FLOAT32 -> u32(Float.floatToRawIntBits(as(key, type, o, Float.class)));
            case FLOAT64 -> u64(Double.doubleToRawLongBits(as(key, type, o, Double.class)));
            case BOOL -> u8(as(key, type, o, Boolean.class) ? 1 : 0);
            case STRING -> string(as(key, type, o, String.class));
            case ARRAY -> array(key, v);
        }
    }

    private void array(String key, GgufValue v) {
        GgufValueType et = v.elementType();
        if (et == null) {
            throw new IllegalArgumentException("metadata '" + key + "': an array needs an element type");
        }
        u32(et.id());
        Object o = v.value();
        switch (et) {
            case UINT8, INT8 -> {
                byte[] a = as(key, et, o, byte[].class);
                u64(a.length);
                for (byte b : a) u8(b);
            }
            case UINT16, INT16 -> {
                short[] a = as(key, et, o, short[].class);
                u64(a.length);
                for (short s : a) u16(s);
            }
            case UINT32, INT32 -> {
                int[] a = as(key, et, o, int[].class);
                u64(a.length);
                for (int i : a) u32(i);
            }
            case UINT64, INT64 -> {
                long[] a = as(key, et, o, long[].class);
                u64(a.length);
                for (long l : a) u64(l);
            }
            case FLOAT32 -> {
                float[] a = as(key, et, o, float[].class);
                u64(a.length);
                for (float f : a) u32(Float.floatToRawIntBits(f));
            }
            case FLOAT64 -> {
                double[] a = as(key, et, o, double[].class);
                u64(a.length);
                for (double d : a) u64(Double.doubleToRawLongBits(d));
            }
            case BOOL -> {
                boolean[] a = as(key, et, o, boolean[].class);
                u64(a.length);
                for (boolean b : a) u8(b ? 1 : 0);
            }
            case STRING -> {
                String[] a = as(key, et, o, String[].class);
                u64(a.length);
                for (String s : a) {
                    if (s == null) throw new IllegalArgumentException("metadata '" + key + "': null string in array");
                    string(s);
                }
            }
            case ARRAY -> {
                // nested arrays are stored without a per-element type id: each element starts with its own element type
                GgufValue[] a = as(key, et, o, GgufValue[].class);
                u64(a.length);
                for (GgufValue inner : a) {
                    if (inner == null || inner.type() != GgufValueType.ARRAY) {
                        throw new IllegalArgumentException("metadata '" + key + "': elements of an array of arrays "
                                + "must be ARRAY values");
                    }
                    array(key, inner);
                }
            }
        }
    }

    private static long integer(String key, GgufValueType type, Object o, long min, long max) {
        if (!(o instanceof Byte || o instanceof Short || o instanceof Integer || o instanceof Long)) {
            throw new IllegalArgumentException("metadata '" + key + "': a " + type + " needs an integer, got "
                    + o.getClass().getSimpleName());
        }
        long v = ((Number) o).longValue();
        if (v < min || v > max) {
            throw new IllegalArgumentException("metadata '" + key + "': " + v + " is out of range for " + type);
        }
        return v;
    }

    private static <T> T as(String key, GgufValueType type, Object o, Class<T> expected) {
        if (!expected.isInstance(o)) {
            throw new IllegalArgumentException("metadata '" + key + "': a " + type + " needs a "
                    + expected.getSimpleName() + ", got " + o.getClass().getSimpleName());
        }
        return expected.cast(o);
    }
}
