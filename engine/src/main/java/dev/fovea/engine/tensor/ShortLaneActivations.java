package dev.fovea.engine.tensor;

import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;

/**
 * Quantized activations laid out for the 16-bit-lane kernels on 256-bit CPUs ({@link ShortLaneKernels}), made once
 * per call: {@link #nibblePairs} for 4-bit weights (described here), {@link #columnPairs} for Q8_0. Those kernels load an int column of an interleaved record — 8 rows
 * × 4 quant bytes — as 16 short lanes (lane 2r: bytes 0–1 of row r's int, lane 2r + 1: bytes 2–3) and take out the four nibble
 * positions of each short by shift and mask. Each position then needs, lane by lane, the activation that the nibble
 * in that lane multiplies: a pattern of two values repeated eight times. It is kept as one int (the two shorts) and
 * broadcast to the 8 int lanes where it is used: the patterns written out as 16 shorts were 8 times larger (90 KB
 * for a 5,632-wide input), fell out of L1 and, read twice as many bytes as the weights, held the Q4_K decode at
 * 7.3 GB/s a thread; as ints, 9.6 (measured, TinyLlama shapes, this AVX2 machine).
 *
 * <p>Both 4-bit layouts store quants in chunks of {@code B} bytes holding 2B elements: the low nibble of byte j is
 * element j of the chunk, the high nibble element j + B (Q4_0: one 32-value block, B = 16; Q4_K: a 64-value quarter
 * of a 256-value block, B = 32). For int column c of a chunk, nibble position k (bits 4k … 4k + 3 of a short) and
 * half h (the short's place in the int), the element is byte 4c + 2h + k/2, plus B when k is odd.
 *
 * <p>Why 16-bit lanes: the products of a nibble (0–15) and an activation (|q| ≤ 127) and sums of up to 16 of them
 * fit a short, so one 16-lane multiply and one add do what takes two conversions and two 8-lane FMAs in float lanes;
 * the sums are the same exact integers, so the results keep their bits.
 */
final class ShortLaneActivations {
    private ShortLaneActivations() {
    }

    /**
     * The patterns of tokens [from, from + n) of {@code q} ([tokens][cols], integer-valued, |q| ≤ 127), for chunks
     * of {@code chunkBytes} quant bytes, one int each (element of the short lane 2r, then of lane 2r + 1): token t's
     * at {@code (t − from) · cols / 2}, chunk ch's at {@code ch · chunkBytes} within it, column c and position k at
     * {@code 4c + k} within that.
     */
    static int[] nibblePairs(float[] q, int from, int n, int cols, int chunkBytes) {
        int[] out = new int[n * cols / 2];
        int chunkElements = 2 * chunkBytes;
        int columns = chunkBytes / 4;
        int o = 0;
        for (int t = from; t < from + n; t++) {
            int row = t * cols;
            for (int ch = 0; ch < cols / chunkElements; ch++) {
                int base = row + ch * chunkElements;
                for (int c = 0; c < columns; c++) {
                    for (int k = 0; k < 4; k++) {
                        int byte0 = 4 * c + k / 2;
                        int high = (k & 1) * chunkBytes;
                        int even = (int) q[base + byte0 + high];
                        int odd = (int) q[base + byte0 + 2 + high];
                        out[o++] = (even & 0xFFFF) | odd << 16;
                    }
                }
            }
        }
        return out;
    }

    private static final VectorMask<Short> SECOND_COLUMN = VectorMask.fromLong(ShortVector.SPECIES_256, 0xFF00L);

    /**
     * Tokens [from, from + n) of {@code q} for {@link ShortLaneKernels#q8_0}: per token and column pair (2j, 2j + 1)
     * 16 shorts, q[2j] eight times, then q[2j + 1] eight times — the activations of a 32-byte load of two weight
     * columns, lane by lane. Token t's at {@code (t − from) · cols · 8}. Written out (16 bytes a column) rather than
     * broadcast in the kernel, which would cost more than the multiply it feeds.
     */
    static short[] columnPairs(float[] q, int from, int n, int cols) {
        short[] out = new short[n * cols * 8];
        int o = 0;
        for (int i = from * cols; i < (from + n) * cols; i += 2, o += 16) {
            ShortVector.broadcast(ShortVector.SPECIES_256, (short) q[i])
                    .blend((short) q[i + 1], SECOND_COLUMN)
                    .intoArray(out, o);
        }
        return out;
    }
}
