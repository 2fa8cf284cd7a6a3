package dev.fovea.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The row-interleaved copy of Q8_0/Q4_0 weights must give bit-identical products to the file's own layout, for
 * every batch size, including scales that are subnormal halves, negative or zero.
 */
class InterleavedQuantsTest {
    private static Parallel two;

    @BeforeAll
    static void pool() {
        two = Parallel.create(2);
    }

    @AfterAll
    static void close() {
        two.close();
    }

    /** Random quants; scales drawn from normal, subnormal, negative and zero halves. */
    private static byte[] randomBlocks(GgmlType type, int rows, int cols, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] b = new byte[Math.toIntExact(type.byteSize(cols) * rows)];
        rnd.nextBytes(b);
        MemorySegment s = MemorySegment.ofArray(b);
        short[] halves = {Float.floatToFloat16(0.0123f), Float.floatToFloat16(-0.5f), (short) 0x0001, (short) 0x83FF,
            (short) 0x0200, 0, (short) 0x8000, Float.floatToFloat16(3.1e-5f), Float.floatToFloat16(65504f)};
        for (long blk = 0; blk < b.length / type.typeSize(); blk++) {
            s.set(ValueLayout.JAVA_SHORT_UNALIGNED, blk * type.typeSize(), halves[rnd.nextInt(halves.length)]);
        }
        return b;
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0"})
    void productsMatchTheFileLayoutBitForBit(GgmlType type) {
        int rows = 48;
        int cols = 320;
        byte[] bytes = randomBlocks(type, rows, cols, 7);
        WeightMatrix plain = WeightMatrix.of(MemorySegment.ofArray(bytes), type, rows, cols, false);
        WeightMatrix packed = WeightMatrix.of(MemorySegment.ofArray(bytes), type, rows, cols, true);
        assertThat(packed.isInterleaved()).isTrue();
        assertThat(plain.isInterleaved()).isFalse();
        SplittableRandom rnd = new SplittableRandom(3);
        for (int n : new int[] {1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 21}) {
            float[] x = new float[n * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            float[] a = new float[n * rows];
            float[] b = new float[n * rows];
            plain.matMul(x, n, a, two);
            packed.matMul(x, n, b, two);
            assertArrayEquals(a, b, type + " n=" + n);
            if (n == 1) {
                packed.matVec(x, b, two);
                assertArrayEquals(a, b, type + " matVec");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0"})
    void infiniteScalesAndOddRowCountsKeepTheFileLayout(GgmlType type) {
        byte[] bytes = randomBlocks(type, 32, 64, 9);
        MemorySegment.ofArray(bytes).set(ValueLayout.JAVA_SHORT_UNALIGNED, 5L * type.typeSize(), (short) 0x7C00);
        assertThat(WeightMatrix.of(MemorySegment.ofArray(bytes), type, 32, 64, true).isInterleaved()).isFalse();
        byte[] odd = randomBlocks(type, 40, 64, 9);
        assertThat(WeightMatrix.of(MemorySegment.ofArray(odd), type, 40, 64, true).isInterleaved()).isFalse();
    }
}
