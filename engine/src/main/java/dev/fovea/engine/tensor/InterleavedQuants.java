package dev.fovea.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

/**
 * Q8_0 / Q4_0 weights repacked at load so that 16 consecutive rows share each block position. For rows
 * 16g … 16g+15 and block b, one record holds the 16 rows' F16 scales (32 bytes) and then their quants: Q8_0, for
 * each quant byte j, the 16 rows' byte j side by side (544 bytes); Q4_0, for each int column c (0–3), each row's
 * bytes 4c … 4c+3 in one 32-bit lane (288 bytes), so that the nibbles come out of int lanes by shift and mask.
 * Q4_0 groups go in pairs (2p, 2p+1) whose records alternate block by block, so that a kernel working on both
 * reads one sequential stream ({@link #recordOffset}); an odd last group stands alone. Q8_0 groups follow each
 * other whole. The size equals the original's.
 *
 * <p>Why: one load then gives weights of each of 16 rows side by side, so the kernels ({@link InterleavedMatMul})
 * keep rows in the vector lanes and form every row's exact block sum with broadcast FMAs, without the per-block
 * horizontal sums that dominate a row-at-a-time kernel.
 */
final class InterleavedQuants {
    static final int ROWS = 16;
    private static final int SCALE_BYTES = 2 * ROWS;
    private static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private InterleavedQuants() {
    }

    static boolean supports(GgmlType type) {
        return type == GgmlType.Q8_0 || type == GgmlType.Q4_0;
    }

    /** Bytes of one 16-row record: 16 scales and 16 rows' quants of one block. */
    static int recordBytes(GgmlType type) {
        return ROWS * type.typeSize();
    }

    /**
     * The repacked copy of {@code data} (rows × cols of {@code type}, ggml's layout), or null when the matrix does
     * not qualify: another type, a row count that is not a multiple of 16, or a non-finite scale (the kernels
     * widen scales with arithmetic that is exact for finite values only).
     */
    static MemorySegment repack(MemorySegment data, GgmlType type, int rows, int cols) {
        if (!supports(type) || rows % ROWS != 0) {
            return null;
        }
        int blocks = cols / 32;
        long rowBytes = type.byteSize(cols);
        MemorySegment out = HugePageMemory.allocate(rowBytes * rows);
        AtomicBoolean finite = new AtomicBoolean(true);
        // groups are independent: a model's worth of them repacks on every core (a pass of about a second)
        int groups = rows / ROWS;
        IntStream.range(0, groups).parallel().forEach(g -> {
            if (!repackGroup(data, type, blocks, rowBytes, g, groups, out)) {
                finite.set(false);
            }
        });
        return finite.get() ? out : null;
    }

    /**
     * Whether the type's groups are stored in pairs. Measured, TinyLlama shapes, alternating builds: Q4_0 decoding
     * over pairs 47.1–49.9 tok/s against 37.2–45.6 group by group (its kernel is bound by instructions, and a
     * broadcast then feeds two groups); Q8_0 decoding, bound by memory, fell from 22–26 to 17–18.
     */
    static boolean pairsRecords(GgmlType type) {
        return type == GgmlType.Q4_0;
    }

    /**
     * Where group g's record of block b starts: in a pair (2p, 2p+1) the two groups' records alternate, so group
     * g's follow each other at twice the record size; otherwise (an odd last group, or a type stored group by
     * group) a group's records follow each other directly.
     */
    static long recordOffset(GgmlType type, int g, int b, int groups, int blocks, int rec) {
        long groupBytes = (long) blocks * rec;
        if (pairsRecords(type) && g < (groups & ~1)) {
            return (g & ~1) * groupBytes + (2L * b + (g & 1)) * rec;
        }
        return g * groupBytes + (long) b * rec;
    }

    /**
     * Writes blocks [first, first + count) of Q4_0 row {@code row} back in ggml's layout (18 bytes a block) into
     * {@code raw} from 0: the tiled prompt kernel ({@link QuantMatMul}) decodes rows of the repacked copy this way,
     * so the file's own bytes need not stay in memory beside it.
     */
    static void q4_0RowBlocks(MemorySegment il, int rows, int cols, int row, int first, int count, byte[] raw) {
        int blocks = cols / 32;
        int groups = rows / ROWS;
        int rec = recordBytes(GgmlType.Q4_0);
        int g = row / ROWS;
        int lane = row % ROWS;
        MemorySegment out = MemorySegment.ofArray(raw);
        for (int i = 0; i < count; i++) {
            long src = recordOffset(GgmlType.Q4_0, g, first + i, groups, blocks, rec);
            long dst = 18L * i;
            out.set(S16, dst, il.get(S16, src + 2L * lane));
            for (int c = 0; c < 4; c++) {
                out.set(I32, dst + 2 + 4L * c, il.get(I32, src + SCALE_BYTES + 64L * c + 4L * lane));
            }
        }
    }

    /** Repacks rows 16g … 16g+15; false if one of their scales is infinite or NaN. */
    private static boolean repackGroup(MemorySegment data, GgmlType type, int blocks, long rowBytes, int g,
                                       int groups, MemorySegment out) {
        int ts = type.typeSize();
        int rec = recordBytes(type);
        long[] x = new long[8];
        long group = g * (long) ROWS * rowBytes;
        for (int b = 0; b < blocks; b++) {
            long src = group + (long) b * ts;
            long dst = recordOffset(type, g, b, groups, blocks, rec);
            for (int r = 0; r < ROWS; r++) {
                short d = data.get(S16, src + r * rowBytes);
                if ((d & 0x7C00) == 0x7C00) {
                    return false; // F16 exponent all ones: infinite or NaN scale
                }
                out.set(S16, dst + 2L * r, d);
            }
            if (type == GgmlType.Q4_0) {
                // int column c: each row's bytes 4c … 4c+3 in one 32-bit lane
                for (int c = 0; c < 4; c++) {
                    for (int r = 0; r < ROWS; r++) {
                        out.set(I32, dst + SCALE_BYTES + 64L * c + 4L * r,
                                data.get(I32, src + r * rowBytes + 2 + 4L * c));
                    }
                }
                continue;
            }
            // Q8_0: 16 rows × 32 quant bytes as 2 × 4 transposed 8 × 8 byte tiles
            for (int rt = 0; rt < ROWS; rt += 8) {
                for (int ct = 0; ct < 4; ct++) {
                    for (int i = 0; i < 8; i++) {
                        x[i] = data.get(I64, src + (rt + i) * rowBytes + 2 + 8L * ct);
                    }
                    transpose8x8(x);
                    for (int k = 0; k < 8; k++) {
                        // byte column 8ct + k of these 8 rows
                        out.set(I64, dst + SCALE_BYTES + (long) ROWS * (8 * ct + k) + rt, x[k]);
                    }
                }
            }
        }
        return true;
    }

    /**
     * Transposes an 8 × 8 byte matrix held as 8 little-endian longs (x[i] byte k = element (i, k)) in place: three
     * rounds of swapping 1-, 2- and 4-byte sub-blocks across the diagonal.
     */
    static void transpose8x8(long[] x) {
        for (int i = 0; i < 8; i += 2) {
            long t = ((x[i] >>> 8) ^ x[i + 1]) & 0x00FF00FF00FF00FFL;
            x[i + 1] ^= t;
            x[i] ^= t << 8;
        }
        for (int i = 0; i < 8; i += 4) {
            for (int j = i; j < i + 2; j++) {
                long t = ((x[j] >>> 16) ^ x[j + 2]) & 0x0000FFFF0000FFFFL;
                x[j + 2] ^= t;
                x[j] ^= t << 16;
            }
        }
        for (int j = 0; j < 4; j++) {
            long t = ((x[j] >>> 32) ^ x[j + 4]) & 0x00000000FFFFFFFFL;
            x[j + 4] ^= t;
            x[j] ^= t << 32;
        }
    }
}
