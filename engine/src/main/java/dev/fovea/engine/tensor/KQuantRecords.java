package dev.fovea.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

/**
 * The repacking walk shared by the row-interleaved K-quant layouts ({@link InterleavedQ4KQ5K}, {@link InterleavedQ6K}):
 * one record per 16 rows and 256-value block, groups repacked on every core, each row's block handed over as bytes
 * for the layout to place.
 */
final class KQuantRecords {
    static final int ROWS = 16;
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Writes row r's block (its file bytes) into the record at dst of {@code out}. */
    interface RowPlacer {
        void place(byte[] block, MemorySegment out, long dst, int r);
    }

    private KQuantRecords() {
    }

    /** The copy of a {@code type} matrix in records of {@code recordBytes}, or null unless rows are a multiple of 16. */
    static MemorySegment repack(MemorySegment data, GgmlType type, int rows, int cols, int recordBytes,
                                RowPlacer placer) {
        if (rows % ROWS != 0) {
            return null;
        }
        int blocks = cols / 256;
        int blockBytes = type.typeSize();
        long rowBytes = type.byteSize(cols);
        MemorySegment out = HugePageMemory.allocate((long) rows / ROWS * blocks * recordBytes);
        IntStream.range(0, rows / ROWS).parallel().forEach(g -> {
            byte[] block = new byte[blockBytes];
            for (int b = 0; b < blocks; b++) {
                long dst = ((long) g * blocks + b) * recordBytes;
                for (int r = 0; r < ROWS; r++) {
                    MemorySegment.copy(data, ValueLayout.JAVA_BYTE, (ROWS * (long) g + r) * rowBytes
                            + (long) blockBytes * b, block, 0, blockBytes);
                    placer.place(block, out, dst, r);
                }
            }
        });
        return out;
    }

    /** The little-endian int of bytes i … i+3 of {@code b}. */
    static int intAt(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
    }
}
