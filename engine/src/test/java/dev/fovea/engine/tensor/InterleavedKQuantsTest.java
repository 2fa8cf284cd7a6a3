package dev.fovea.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Q4_K / Q6_K single-token products over the row-interleaved copies give the file layout's row-kernel bits exactly. */
class InterleavedKQuantsTest {

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = GgmlType.class, names = {"Q4_K", "Q6_K"})
    void singleTokenProductsEqualTheRowKernelsBits(GgmlType type) {
        SplittableRandom rnd = new SplittableRandom(7);
        int rows = 64;
        int cols = 1536;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextGaussian() * (i % 3 == 0 ? 0.2 : 0.02));
        }
        byte[] bytes = Quantizer.quantize(type, w);
        WeightMatrix packed = WeightMatrix.of(MemorySegment.ofArray(bytes), type, rows, cols, true);
        WeightMatrix plain = WeightMatrix.of(MemorySegment.ofArray(bytes), type, rows, cols, false);
        try (Parallel two = Parallel.create(2)) {
            for (int trial = 0; trial < 6; trial++) {
                float[] x = new float[cols];
                for (int i = 0; i < cols; i++) {
                    x[i] = (float) (rnd.nextGaussian() * (trial + 1));
                }
                if (trial == 1) {
                    java.util.Arrays.fill(x, 0, 256, 0f); // an all-zero activation block
                }
                if (trial == 2) {
                    x[300] = 1e4f; // one value dominating its block
                }
                float[] a = new float[rows];
                float[] b = new float[rows];
                packed.matVec(x, a, two);
                plain.matVec(x, b, two);
                assertArrayEquals(b, a, "trial " + trial);
                for (int r = 0; r < rows; r += 5) {
                    assertThat(packed.dot(r, x, 0)).isEqualTo(a[r]);
                }
            }
        }
    }

    @Test
    void rowCountsThatAreNot16kKeepTheFileLayoutOnly() {
        byte[] bytes = Quantizer.quantize(GgmlType.Q4_K, new float[40 * 256]);
        assertThat(InterleavedQ4KQ5K.repack(MemorySegment.ofArray(bytes), GgmlType.Q4_K, 40, 256)).isNull();
        assertThat(InterleavedQ4KQ5K.repack(MemorySegment.ofArray(Quantizer.quantize(GgmlType.Q4_K,
                new float[32 * 256])), GgmlType.Q4_K, 32, 256)).isNotNull();
        assertThat(InterleavedQ6K.repack(MemorySegment.ofArray(Quantizer.quantize(GgmlType.Q6_K, new float[24 * 256])),
                24, 256)).isNull();
    }
}
