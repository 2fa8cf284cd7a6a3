package dev.fovea.engine.tensor;

/**
 * Quantized activations laid out for the 16-bit-lane kernels of 4-bit weights on 256-bit CPUs
 * ({@link ShortLaneKernels}), made once per call. Those kernels load an int column of an interleaved record — 8 rows
 * × 4 quant bytes — as 16 short lanes (lane 2r: bytes 0–1 of row r's int, lane 2r + 1: bytes 2–3) and take out the four nibble
 * positions of each short by shift and mask. Each position then needs, lane by lane, the activation that the nibble
 * in that lane multiplies: a pattern of two values repeated eight times, made here once per call as 16 shorts.
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
    /** Shorts per element in {@link #nibblePatterns}: 16 lanes for each of an int column's 8 nibbles. */
    static final int SHORTS_PER_ELEMENT = 8;

    private ShortLaneActivations() {
    }

    /**
     * The patterns of tokens [from, from + n) of {@code q} ([tokens][cols], integer-valued, |q| ≤ 127), for chunks
     * of {@code chunkBytes} quant bytes: token t's start at {@code (t − from) · cols · 8}, chunk ch's at
     * {@code ch · 16 · chunkBytes} within it, column c and position k at {@code (4c + k) · 16} within that.
     */
    static short[] nibblePatterns(float[] q, int from, int n, int cols, int chunkBytes) {
        short[] out = new short[n * cols * SHORTS_PER_ELEMENT];
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
                        short even = (short) q[base + byte0 + high];
                        short odd = (short) q[base + byte0 + 2 + high];
                        for (int lane = 0; lane < 16; lane += 2) {
                            out[o + lane] = even;
                            out[o + lane + 1] = odd;
                        }
                        o += 16;
                    }
                }
            }
        }
        return out;
    }
}
