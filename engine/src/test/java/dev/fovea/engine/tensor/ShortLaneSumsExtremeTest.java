package dev.fovea.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The 16-bit-lane kernels ({@link ShortLaneKernels}) at their largest sums: every nibble 15 and every quantized
 * activation ±127, so each lane adds 16 products of 15 · 127 = 30,480 (the most a short holds is 32,767); Q8_0
 * every weight −128 (or 127), so each lane adds two products of 128 · 127 = 16,256. The products must equal the row
 * kernel's, which sums in int, and a batch's rows the single token's.
 */
class ShortLaneSumsExtremeTest {
    private static Parallel pool;

    @BeforeAll
    static void open() {
        pool = Parallel.create(2);
    }

    @AfterAll
    static void close() {
        pool.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q4_0", "Q4_K", "Q8_0:-128", "Q8_0:127"})
    void largestSumsAreExact(String name) {
        GgmlType type = GgmlType.valueOf(name.split(":")[0]);
        int rows = 32;
        int cols = 512;
        int blockBytes = type.typeSize();
        byte[] b = new byte[Math.toIntExact(type.byteSize(cols) * rows)];
        Arrays.fill(b, type == GgmlType.Q8_0 ? (byte) Integer.parseInt(name.split(":")[1]) : (byte) 0xFF);
        for (int o = 0; o < b.length; o += blockBytes) {
            // d = 1.0 (F16 0x3C00); Q4_K: dmin = 0, every 6-bit scale and minimum 63 (bytes 0xFF)
            b[o] = 0x00;
            b[o + 1] = 0x3C;
            if (type == GgmlType.Q4_K) {
                b[o + 2] = 0x00;
                b[o + 3] = 0x00;
            }
        }
        WeightMatrix m = WeightMatrix.of(MemorySegment.ofArray(b), type, rows, cols);
        assertThat(m.isInterleaved() || type == GgmlType.Q4_K).isTrue();
        for (float sign : new float[] {1f, -1f}) {
            // Q8_0 gives ±127 directly; Q8_K needs the largest magnitude of the other sign to give +127 (its scale
            // is negative), so the first value of each block carries it
            float[] x = new float[3 * cols];
            Arrays.fill(x, sign);
            if (type == GgmlType.Q4_K) {
                for (int i = 0; i < x.length; i += 256) {
                    x[i] = -sign;
                }
            }
            float[] single = new float[rows];
            m.matVec(x, single, pool);
            float[] batch = new float[3 * rows];
            m.matMul(x, 3, batch, pool);
            for (int r = 0; r < rows; r++) {
                assertThat(single[r]).as("row %d, sign %s", r, sign).isEqualTo(m.dot(r, x, 0));
                assertThat(batch[2 * rows + r]).as("batch row %d", r).isEqualTo(single[r]);
            }
            if (type == GgmlType.Q8_0) {
                float dx = Float.float16ToFloat(Float.floatToFloat16(1f / 127f));
                int w = Integer.parseInt(name.split(":")[1]);
                float expected = 0;
                for (int blk = 0; blk < cols / 32; blk++) {
                    expected += w * 127 * 32 * sign * dx;
                }
                assertThat(single[0]).isEqualTo(expected);
            }
            if (type == GgmlType.Q4_0) {
                // weights 15 − 8 = 7 against 127·sign with scale 1/127 (as F16): 16 blocks of 32
                float dx = Float.float16ToFloat(Float.floatToFloat16(1f / 127f));
                float expected = 0;
                for (int blk = 0; blk < cols / 32; blk++) {
                    expected += 7 * 127 * 32 * sign * dx;
                }
                assertThat(single[0]).isEqualTo(expected);
            }
        }
    }
}
