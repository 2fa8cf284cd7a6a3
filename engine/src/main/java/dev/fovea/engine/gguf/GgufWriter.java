package dev.fovea.engine.gguf;

import dev.fovea.engine.tensor.GgmlType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a GGUF v3 file in the layout of llama.cpp's writers: header, tensor table, zero padding to the alignment,
 * then each tensor's data padded to the alignment (a file without tensors ends right after its header). Tensor data is streamed, so files of any size are written
 * without holding them in memory.
 *
 * <p>Use in two phases. First declare: {@link #put} metadata (in file order) and {@link #addTensor} tensors (in
 * data order). Then write the data of each tensor, in declaration order, with one or more
 * {@link #writeTensorData} calls; the first call writes the header. {@link #close()} checks that every tensor
 * got all its bytes. The alignment is 32 unless the metadata sets {@code general.alignment} (a UINT32 power of
 * two), as GGUF specifies.
 *
 * <p>Not thread-safe.
 */
public final class GgufWriter implements AutoCloseable {
    /** Key that GGUF reserves for the data alignment. */
    private static final int MAX_ALIGNMENT = 1 << 30;
    private static final int VERSION = 3;

    private enum State { DECLARING, WRITING_DATA, CLOSED }

    private record Declared(String name, long[] shape, GgmlType type, long byteSize) {
    }

    private final Path path;
    private final FileChannel channel;
    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Declared> declared = new ArrayList<>();
    private final Set<String> tensorNames = new HashSet<>();
    private List<GgufTensorInfo> tensors = List.of();
    private int alignment = GgufFile.DEFAULT_ALIGNMENT;
    private State state = State.DECLARING;
    private long dataStart;
    /** Index of the tensor whose data is being written, and how many of its bytes are written. */
    private int current;
    private long currentWritten;

    private GgufWriter(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** Creates (or truncates) {@code path} for writing. */
    public static GgufWriter create(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        return new GgufWriter(path, ch);
    }

    public Path path() {
        return path;
    }

    // ---- declaration phase -------------------------------------------------------------------------------------

    /**
     * Adds a metadata entry. The value must use the Java representation described in {@link GgufValue} (the one
     * {@link GgufFile} returns), so metadata read from one file can be put into another unchanged.
     */
    public GgufWriter put(String key, GgufValue value) {
        requireState(State.DECLARING, "add metadata");
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("metadata key must not be empty");
        }
        if (metadata.containsKey(key)) {
            throw new IllegalArgumentException("duplicate metadata key '" + key + "'");
        }
        // serialize now, so a bad value fails here and not when the header is written
        new GgufHeaderBuffer().typedValue(key, value);
        if (key.equals(GgufKeys.ALIGNMENT)) {
            alignment = checkedAlignment(value);
        }
        metadata.put(key, value);
        return this;
    }

    public GgufWriter putString(String key, String value) {
        return put(key, new GgufValue(GgufValueType.STRING, null, value));
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, new GgufValue(GgufValueType.BOOL, null, value));
    }

    public GgufWriter putUint8(String key, int value) {
        return put(key, new GgufValue(GgufValueType.UINT8, null, value));
    }

    public GgufWriter putInt8(String key, int value) {
        return put(key, new GgufValue(GgufValueType.INT8, null, value));
    }

    public GgufWriter putUint16(String key, int value) {
        return put(key, new GgufValue(GgufValueType.UINT16, null, value));
    }

    public GgufWriter putInt16(String key, int value) {
        return put(key, new GgufValue(GgufValueType.INT16, null, value));
    }

    /** A UINT32; {@code value} must lie in 0..2^32-1. */
    public GgufWriter putUint32(String key, long value) {
        return put(key, new GgufValue(GgufValueType.UINT32, null, value));
    }

    public GgufWriter putInt32(String key, int value) {
        return put(key, new GgufValue(GgufValueType.INT32, null, value));
    }

    /** A UINT64; values of 2^63 and above are passed as negative longs (two's complement). */
    public GgufWriter putUint64(String key, long value) {
        return put(key, new GgufValue(GgufValueType.UINT64, null, value));
    }

    public GgufWriter putInt64(String key, long value) {
        return put(key, new GgufValue(GgufValueType.INT64, null, value));
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, new GgufValue(GgufValueType.FLOAT32, null, value));
    }

    public GgufWriter putFloat64(String key, double value) {
        return put(key, new GgufValue(GgufValueType.FLOAT64, null, value));
    }

    /**
     * An array of {@code elementType}; {@code values} is the matching Java array ({@code String[]},
     * {@code float[]}, {@code int[]} for UINT32/INT32, ..., {@code GgufValue[]} of ARRAY values for nested arrays).
     */
    public GgufWriter putArray(String key, GgufValueType elementType, Object values) {
        return put(key, new GgufValue(GgufValueType.ARRAY, elementType, values));
    }

    /**
     * Declares a tensor; its data must later be written in declaration order.
     *
     * @param shape dims innermost first, as GGUF lists them ({@code shape[0]} is the row length)
     */
    public GgufWriter addTensor(String name, GgmlType type, long... shape) {
        requireState(State.DECLARING, "add tensor '" + name + "'");
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        if (!tensorNames.add(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        if (shape.length < 1 || shape.length > GgufFile.MAX_DIMS) {
            tensorNames.remove(name);
            throw new IllegalArgumentException("tensor '" + name + "' has " + shape.length + " dims (1.."
                    + GgufFile.MAX_DIMS + " allowed)");
        }
        long elements = 1;
        for (long d : shape) {
            if (d < 1) {
                tensorNames.remove(name);
                throw new IllegalArgumentException("tensor '" + name + "' has a non-positive dim " + d);
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (shape[0] % type.blockSize() != 0) {
            tensorNames.remove(name);
            throw new IllegalArgumentException("tensor '" + name + "' row length " + shape[0]
                    + " is not a multiple of the " + type + " block size " + type.blockSize());
        }
        declared.add(new Declared(name, shape.clone(), type, type.byteSize(elements)));
        return this;
    }

    // ---- data phase --------------------------------------------------------------------------------------------

    /**
     * Writes the header and tensor table (done implicitly by the first {@link #writeTensorData}); no more metadata or
     * tensors can be added afterwards.
     */
    public void writeHeader() throws IOException {
        requireState(State.DECLARING, "write the header");
        GgufHeaderBuffer h = new GgufHeaderBuffer();
        h.u32(GgufFile.MAGIC);
        h.u32(VERSION);
        h.u64(declared.size());
        h.u64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            h.string(e.getKey());
            h.typedValue(e.getKey(), e.getValue());
        }
        List<GgufTensorInfo> infos = new ArrayList<>(declared.size());
        long offset = 0;
        for (Declared d : declared) {
            h.string(d.name);
            h.u32(d.shape.length);
            for (long dim : d.shape) h.u64(dim);
            h.u32(d.type.id());
            h.u64(offset);
            infos.add(new GgufTensorInfo(d.name, d.shape.clone(), d.type, offset, d.byteSize));
            offset = Math.addExact(offset, padded(d.byteSize));
        }
        dataStart = padded(h.size());
        writeFully(h.asByteBuffer());
        // gguf-py leaves a file without tensors (a vocab-only file) unpadded; do the same so such copies match
        if (!declared.isEmpty()) {
            writeZeros(dataStart - h.size());
        }
        tensors = Collections.unmodifiableList(infos);
        state = State.WRITING_DATA;
        current = 0;
        currentWritten = 0;
    }

    /** Appends {@code data} (from its position to its limit) to the current tensor. */
    public void writeTensorData(ByteBuffer data) throws IOException {
        if (state == State.DECLARING) {
            writeHeader();
        }
        requireState(State.WRITING_DATA, "write tensor data");
        long n = data.remaining();
        if (n == 0) {
            return;
        }
        if (current >= declared.size()) {
            throw new IllegalStateException("all " + declared.size() + " tensors are already written; " + n
                    + " bytes more given");
        }
        Declared t = declared.get(current);
        if (n > t.byteSize - currentWritten) {
            throw new IllegalStateException("tensor '" + t.name + "' takes " + t.byteSize + " bytes; " + currentWritten
                    + " written and " + n + " more given");
        }
        writeFully(data);
        currentWritten += n;
        if (currentWritten == t.byteSize) {
            writeZeros(padded(t.byteSize) - t.byteSize);
            current++;
            currentWritten = 0;
        }
    }

    public void writeTensorData(byte[] data) throws IOException {
        writeTensorData(ByteBuffer.wrap(data));
    }

    public void writeTensorData(byte[] data, int offset, int length) throws IOException {
        writeTensorData(ByteBuffer.wrap(data, offset, length));
    }

    /** Appends a segment of any size (e.g. a mapped tensor of another file, which may exceed 2 GiB). */
    public void writeTensorData(MemorySegment data) throws IOException {
        long chunk = 1L << 30;
        for (long pos = 0; pos < data.byteSize(); pos += chunk) {
            writeTensorData(data.asSlice(pos, Math.min(chunk, data.byteSize() - pos)).asByteBuffer());
        }
    }

    /** The name of the tensor whose data the next {@link #writeTensorData} call continues, or null when done. */
    public String nextTensorName() {
        int i = state == State.DECLARING ? 0 : current;
        return i < declared.size() ? declared.get(i).name : null;
    }

    /** The tensor table as written (offsets relative to the data section); empty before the header is written. */
    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    /** Absolute file offset of the data section; 0 before the header is written. */
    public long dataStart() {
        return dataStart;
    }

    public int alignment() {
        return alignment;
    }

    /**
     * Writes the header if nothing was written yet, then closes the file.
     *
     * @throws IllegalStateException when a declared tensor did not get all its data (the file is then invalid)
     */
    @Override
    public void close() throws IOException {
        if (state == State.CLOSED) {
            return;
        }
        try {
            if (state == State.DECLARING) {
                writeHeader();
            }
            if (current < declared.size()) {
                Declared t = declared.get(current);
                throw new IllegalStateException(path + ": incomplete file: tensor '" + t.name + "' got "
                        + currentWritten + " of " + t.byteSize + " bytes, " + (declared.size() - current - 1)
                        + " later tensors got none");
            }
        } finally {
            state = State.CLOSED;
            channel.close();
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private long padded(long n) {
        return Math.addExact(n, (alignment - n % alignment) % alignment);
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    private void writeZeros(long n) throws IOException {
        if (n > 0) {
            ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(n, 1 << 16));
            for (long left = n; left > 0; left -= zeros.capacity()) {
                zeros.clear().limit((int) Math.min(left, zeros.capacity()));
                writeFully(zeros);
            }
        }
    }

    private void requireState(State wanted, String action) {
        if (state != wanted) {
            throw new IllegalStateException("cannot " + action + ": writer is " + switch (state) {
                case DECLARING -> "still declaring";
                case WRITING_DATA -> "already writing tensor data";
                case CLOSED -> "closed";
            });
        }
    }

    private static int checkedAlignment(GgufValue v) {
        if (v.type() != GgufValueType.UINT32) {
            throw new IllegalArgumentException(GgufKeys.ALIGNMENT + " must be a UINT32, got " + v.type());
        }
        long a = ((Number) v.value()).longValue();
        if (a <= 0 || a > MAX_ALIGNMENT || Long.bitCount(a) != 1) {
            throw new IllegalArgumentException(GgufKeys.ALIGNMENT + " must be a power of two up to " + MAX_ALIGNMENT
                    + ", got " + a);
        }
        return (int) a;
    }
}
