package dev.fovea.engine.gguf;

import dev.fovea.engine.tensor.GgmlType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF file (versions 2 and 3), memory-mapped with the FFM API. The header is parsed eagerly and every count,
 * offset and size in it is checked against the file before use, so a truncated or hostile file fails with a
 * {@link GgufFormatException} instead of an out-of-bounds read or a huge allocation. Tensor data stays mapped
 * and is handed out as read-only {@link MemorySegment} slices; files larger than 2 GiB work.
 *
 * <p>Thread-safe once opened. Closing unmaps the file; later access to tensor data throws
 * {@link IllegalStateException}.
 */
public final class GgufFile implements AutoCloseable {
    static final int MAGIC = 0x46554747; // "GGUF" little endian
    static final int DEFAULT_ALIGNMENT = 32;
    /** ggml's GGML_MAX_DIMS. */
    static final int MAX_DIMS = 4;
    private static final int MAX_ARRAY_NESTING = 8;

    private final Path path;
    private final Arena arena;
    private final MemorySegment file;
    private final int version;
    private final Map<String, GgufValue> metadata;
    private final Map<String, GgufTensorInfo> tensors;
    private final long dataStart;
    private final int alignment;

    private GgufFile(Path path, Arena arena, MemorySegment file, int version, Map<String, GgufValue> metadata,
                     Map<String, GgufTensorInfo> tensors, long dataStart, int alignment) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
        this.dataStart = dataStart;
        this.alignment = alignment;
    }

    /** Maps and parses {@code path}; every failure names the file. */
    public static GgufFile open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            throw new GgufFormatException(path + " is a directory, not a GGUF file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment seg = size == 0 ? MemorySegment.NULL.reinterpret(0)
                    : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            GgufFile f = parse(path, arena, seg);
            return f;
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static GgufFile parse(Path path, Arena arena, MemorySegment seg) throws GgufFormatException {
        GgufCursor c = new GgufCursor(seg, path.toString());
        if (seg.byteSize() < 4 || c.i32() != MAGIC) {
            throw new GgufFormatException(path + ": not a GGUF file (bad magic)");
        }
        int version = c.i32();
        if (version != 2 && version != 3) {
            throw new GgufFormatException(path + ": GGUF version " + version + " is not supported (2 and 3 are)");
        }
        // each tensor info takes at least name length (8) + n_dims (4) + one dim (8) + type (4) + offset (8)
        int tensorCount = c.count("tensor", 32);
        // each key/value takes at least key length (8) + type (4) + one byte of value
        int kvCount = c.count("metadata", 13);

        Map<String, GgufValue> meta = new LinkedHashMap<>();
        for (int i = 0; i < kvCount; i++) {
            c.context("metadata key #" + i);
            String key = c.string();
            c.context("metadata value of '" + key + "'");
            GgufValueType type = valueType(c, c.u32());
            GgufValue value = readValue(c, type, 0);
            if (meta.putIfAbsent(key, value) != null) {
                throw c.error("duplicate metadata key '" + key + "'");
            }
        }

        int alignment = DEFAULT_ALIGNMENT;
        GgufValue align = meta.get(GgufKeys.ALIGNMENT);
        if (align != null) {
            // integer types only: a float such as 32.5 must not be truncated into a valid-looking alignment
            Object a = align.value();
            long n = a instanceof Integer || a instanceof Long ? ((Number) a).longValue() : -1;
            if (n <= 0 || n > (1 << 30) || Long.bitCount(n) != 1) {
                throw c.error("general.alignment must be a power of two, got " + align.type() + " " + a);
            }
            alignment = (int) n;
        }

        record Pending(String name, long[] shape, GgmlType type, long offset, long bytes) {
        }
        Pending[] pending = new Pending[tensorCount];
        java.util.HashSet<String> names = new java.util.HashSet<>();
        for (int i = 0; i < tensorCount; i++) {
            c.context("tensor info #" + i);
            String name = c.string();
            c.context("tensor info '" + name + "'");
            if (!names.add(name)) {
                throw c.error("duplicate tensor name '" + name + "'");
            }
            long nDims = c.u32();
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw c.error("tensor '" + name + "' has " + nDims + " dims (1.." + MAX_DIMS + " allowed)");
            }
            long[] shape = new long[(int) nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                shape[d] = c.i64();
                if (shape[d] < 0) {
                    throw c.error("tensor '" + name + "' has a negative or oversized dim");
                }
                try {
                    elements = Math.multiplyExact(elements, shape[d]);
                } catch (ArithmeticException e) {
                    throw c.error("tensor '" + name + "' element count overflows");
                }
            }
            long typeId = c.u32();
            GgmlType type = GgmlType.byId(typeId);
            if (type == null) {
                throw c.error("tensor '" + name + "' has unknown ggml type id " + typeId);
            }
            if (shape[0] % type.blockSize() != 0) {
                throw c.error("tensor '" + name + "' row length " + shape[0] + " is not a multiple of the "
                        + type + " block size " + type.blockSize());
            }
            long bytes;
            try {
                bytes = type.byteSize(elements);
            } catch (ArithmeticException e) {
                throw c.error("tensor '" + name + "' byte size overflows");
            }
            long offset = c.i64();
            if (offset < 0 || offset % alignment != 0) {
                throw c.error("tensor '" + name + "' data offset " + Long.toUnsignedString(offset)
                        + " is not a multiple of the alignment " + alignment);
            }
            pending[i] = new Pending(name, shape, type, offset, bytes);
        }

        long headerEnd = c.position();
        long dataStart = headerEnd + (alignment - headerEnd % alignment) % alignment;
        long dataSize = seg.byteSize() - dataStart;
        Map<String, GgufTensorInfo> tensors = new LinkedHashMap<>();
        for (Pending p : pending) {
            if (tensorCount > 0 && (dataSize < 0 || p.offset > dataSize || p.bytes > dataSize - p.offset)) {
                throw new GgufFormatException(path + ": tensor '" + p.name + "' data [" + p.offset + ", +" + p.bytes
                        + ") lies outside the data section of " + Math.max(0, dataSize) + " bytes (file truncated?)");
            }
            tensors.put(p.name, new GgufTensorInfo(p.name, p.shape, p.type, p.offset, p.bytes));
        }
        return new GgufFile(path, arena, seg, version, Collections.unmodifiableMap(meta),
                Collections.unmodifiableMap(tensors), dataStart, alignment);
    }

    private static GgufValueType valueType(GgufCursor c, long id) throws GgufFormatException {
        GgufValueType t = GgufValueType.byId(id);
        if (t == null) {
            throw c.error("unknown metadata value type " + id);
        }
        return t;
    }

    private static GgufValue readValue(GgufCursor c, GgufValueType type, int depth) throws GgufFormatException {
        return switch (type) {
            case UINT8 -> new GgufValue(type, null, c.i8() & 0xFF);
            case INT8 -> new GgufValue(type, null, (int) c.i8());
            case UINT16 -> new GgufValue(type, null, c.i16() & 0xFFFF);
            case INT16 -> new GgufValue(type, null, (int) c.i16());
            case UINT32 -> new GgufValue(type, null, c.u32());
            case INT32 -> new GgufValue(type, null, c.i32());
            case FLOAT32 -> new GgufValue(type, null, c.f32());
            case BOOL -> new GgufValue(type, null, bool(c));
            case STRING -> new GgufValue(type, null, c.string());
            case UINT64, INT64 -> new GgufValue(type, null, c.i64());
            case FLOAT64 -> new GgufValue(type, null, c.f64());
            case ARRAY -> readArray(c, depth);
        };
    }

    private static boolean bool(GgufCursor c) throws GgufFormatException {
        byte b = c.i8();
        if (b != 0 && b != 1) {
            throw c.error("bool value " + b + " is neither 0 nor 1");
        }
        return b == 1;
    }

    private static GgufValue readArray(GgufCursor c, int depth) throws GgufFormatException {
        if (depth >= MAX_ARRAY_NESTING) {
            throw c.error("arrays nested deeper than " + MAX_ARRAY_NESTING);
        }
        GgufValueType et = valueType(c, c.u32());
        int n = c.count("array element", et.minBytes());
        Object value = switch (et) {
            case UINT8, INT8 -> {
                byte[] a = new byte[n];
                for (int i = 0; i < n; i++) a[i] = c.i8();
                yield a;
            }
            case UINT16, INT16 -> {
                short[] a = new short[n];
                for (int i = 0; i < n; i++) a[i] = c.i16();
                yield a;
            }
            case UINT32, INT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) a[i] = c.i32();
                yield a;
            }
            case UINT64, INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) a[i] = c.i64();
                yield a;
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = c.f32();
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) a[i] = c.f64();
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) a[i] = bool(c);
                yield a;
            }
            case STRING -> {
                String[] a = new String[n];
                for (int i = 0; i < n; i++) a[i] = c.string();
                yield a;
            }
            case ARRAY -> {
                GgufValue[] a = new GgufValue[n];
                for (int i = 0; i < n; i++) a[i] = readArray(c, depth + 1);
                yield a;
            }
        };
        return new GgufValue(GgufValueType.ARRAY, et, value);
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
    }

    /** Absolute file offset where the data section starts. */
    public long dataStart() {
        return dataStart;
    }

    /** All metadata in file order. */
    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    /** All tensors in file order. */
    public List<GgufTensorInfo> tensors() {
        return List.copyOf(tensors.values());
    }

    public boolean hasTensor(String name) {
        return tensors.containsKey(name);
    }

    /** The tensor named {@code name}, or empty. */
    public Optional<GgufTensorInfo> findTensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** The tensor named {@code name}; a clear error when the model lacks it. */
    public GgufTensorInfo tensor(String name) throws GgufFormatException {
        GgufTensorInfo t = tensors.get(name);
        if (t == null) {
            throw new GgufFormatException(path.getFileName() + ": missing tensor '" + name + "'");
        }
        return t;
    }

    /** The mapped bytes of a tensor (read-only). */
    public MemorySegment data(GgufTensorInfo t) {
        return file.asSlice(dataStart + t.offset(), t.byteSize()).asReadOnly();
    }

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    /** The raw value of {@code key}, or null. */
    public Object get(String key) {
        GgufValue v = metadata.get(key);
        return v == null ? null : v.value();
    }

    public String getString(String key, String fallback) throws GgufFormatException {
        Object v = get(key);
        if (v == null) return fallback;
        if (v instanceof String s) return s;
        throw typeError(key, "a string");
    }

    public String requireString(String key) throws GgufFormatException {
        String s = getString(key, null);
        if (s == null) throw missing(key);
        return s;
    }

    public long getLong(String key, long fallback) throws GgufFormatException {
        Object v = get(key);
        if (v == null) return fallback;
        if (v instanceof Integer || v instanceof Long) return ((Number) v).longValue();
        throw typeError(key, "an integer");
    }

    public int getInt(String key, int fallback) throws GgufFormatException {
        long v = getLong(key, fallback);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw typeError(key, "an int-sized integer");
        return (int) v;
    }

    public int requireInt(String key) throws GgufFormatException {
        if (!has(key)) throw missing(key);
        return getInt(key, 0);
    }

    public float getFloat(String key, float fallback) throws GgufFormatException {
        Object v = get(key);
        if (v == null) return fallback;
        if (v instanceof Number n) return n.floatValue();
        throw typeError(key, "a number");
    }

    public boolean getBool(String key, boolean fallback) throws GgufFormatException {
        Object v = get(key);
        if (v == null) return fallback;
        if (v instanceof Boolean b) return b;
        throw typeError(key, "a bool");
    }

    public String[] getStringArray(String key) throws GgufFormatException {
        Object v = get(key);
        if (v == null) return null;
        if (v instanceof String[] a) return a;
        throw typeError(key, "an array of strings");
    }

    public float[] getFloatArray(String key) throws GgufFormatException {
        Object v = get(key);
        if (v == null) return null;
        if (v instanceof float[] a) return a;
        if (v instanceof double[] d) {
            float[] a = new float[d.length];
            for (int i = 0; i < d.length; i++) a[i] = (float) d[i];
            return a;
        }
        throw typeError(key, "an array of floats");
    }

    public int[] getIntArray(String key) throws GgufFormatException {
        Object v = get(key);
        if (v == null) return null;
        if (v instanceof int[] a) return a;
        if (v instanceof byte[] b) {
            int[] a = new int[b.length];
            for (int i = 0; i < b.length; i++) a[i] = b[i];
            return a;
        }
        if (v instanceof short[] s) {
            int[] a = new int[s.length];
            for (int i = 0; i < s.length; i++) a[i] = s[i];
            return a;
        }
        if (v instanceof long[] l) {
            int[] a = new int[l.length];
            for (int i = 0; i < l.length; i++) a[i] = Math.toIntExact(l[i]);
            return a;
        }
        throw typeError(key, "an array of integers");
    }

    /** The architecture ({@code general.architecture}), e.g. {@code llama}. */
    public String architecture() throws GgufFormatException {
        return requireString(GgufKeys.ARCHITECTURE);
    }

    private GgufFormatException typeError(String key, String expected) {
        return new GgufFormatException(path.getFileName() + ": metadata '" + key + "' should be " + expected
                + " but is " + metadata.get(key).type());
    }

    private GgufFormatException missing(String key) {
        return new GgufFormatException(path.getFileName() + ": missing metadata '" + key + "'");
    }

    @Override
    public void close() {
        arena.close();
    }

    @Override
    public String toString() {
        return "GgufFile[" + path + ", v" + version + ", " + tensors.size() + " tensors, " + metadata.size()
                + " keys]";
    }
}
