package dev.fovea.engine.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q8_0 / Q4_0 weights repacked at load so that 16 consecutive rows share each block position. For rows
 * 16g … 16g+15 and block b, one record holds the 16 rows' F16 scales (32 bytes) and then, for each quant byte j
 * of the block, the 16 rows' byte j side by side: 544 bytes for Q8_0 (32 quant bytes), 288 for Q4_0 (16 bytes of
 * nibble pairs). Records follow each other by block, then by group; the size equals the original's.
 *
 * <p>Why: one 16-byte load then gives one weight of each of 16 rows, so the kernels ({@link InterleavedMatMul})
 * keep rows in the vector lanes and form every row's exact block sum with broadcast FMAs, without the per-block
 * horizontal sums that dominate a row-at-a-time kernel.
 */
final class InterleavedQuants {
    static final int ROWS = 16;
    private static final int SCALE_BYTES = 2 * ROWS;

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
        int ts = type.typeSize();
        int quantBytes = ts - 2;
        long rowBytes = type.byteSize(cols);
        int rec = recordBytes(type);
        int groupBytes = Math.toIntExact(rowBytes * ROWS);
        byte[] src = new byte[groupBytes];
        byte[] dst = new byte[groupBytes];
        MemorySegment out = Arena.ofAuto().allocate(rowBytes * rows, 64);
        for (int g = 0; g < rows / ROWS; g++) {
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, g * (long) groupBytes, src, 0, groupBytes);
            for (int r = 0; r < ROWS; r++) {
                int row = (int) (r * rowBytes);
                for (int b = 0; b < blocks; b++) {
                    int s = row + b * ts;
                    int d = b * rec;
                    if ((src[s + 1] & 0x7C) == 0x7C) {
                        return null; // F16 exponent all ones: infinite or NaN scale
                    }
                    dst[d + 2 * r] = src[s];
                    dst[d + 2 * r + 1] = src[s + 1];
                    for (int j = 0; j < quantBytes; j++) {
                        dst[d + SCALE_BYTES + ROWS * j + r] = src[s + 2 + j];
                    }
                }
            }
            MemorySegment.copy(dst, 0, out, ValueLayout.JAVA_BYTE, g * (long) groupBytes, groupBytes);
        }
        return out;
    }
}
