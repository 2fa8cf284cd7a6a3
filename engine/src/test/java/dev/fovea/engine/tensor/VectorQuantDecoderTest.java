package dev.fovea.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The vectorized integer form is the scalar decoder's, array for array, on random blocks (every bit pattern of
 * the quants, scales and high bits occurs) with finite F16 scales; the build runs it at both vector widths.
 */
class VectorQuantDecoderTest {
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void sameArraysAsTheScalarDecoder(GgmlType type) {
        int count = 512;
        int blocks = count / type.blockSize();
        byte[] src = new byte[Math.toIntExact(type.byteSize(count)) + 5];
        SplittableRandom rnd = new SplittableRandom(type.ordinal());
        for (int round = 0; round < 20; round++) {
            rnd.nextBytes(src);
            for (int b = 0; b < blocks; b++) {
                int bo = 5 + b * type.typeSize();
                int[] halves = switch (type) {
                    case Q8_0, Q4_0 -> new int[] {bo};
                    case Q4_K, Q5_K -> new int[] {bo, bo + 2};
                    default -> new int[] {bo + 208};
                };
                for (int h : halves) {
                    short f16 = Float.floatToFloat16((float) rnd.nextGaussian() * 0.01f);
                    src[h] = (byte) f16;
                    src[h + 1] = (byte) (f16 >> 8);
                }
            }
            float[] expected = new float[count + 7];
            float[] actual = new float[count + 7];
            float[] scaleE = new float[24];
            float[] scaleA = new float[24];
            float[] minScaleE = new float[24];
            float[] minScaleA = new float[24];
            int[] minsE = new int[32];
            int[] minsA = new int[32];
            BlockDecoder.quants(type, src, 5, count, expected, 7, scaleE, 1, minScaleE, minsE, 1);
            VectorQuantDecoder.quants(type, src, 5, count, actual, 7, scaleA, 1, minScaleA, minsA, 1);
            assertThat(actual).containsExactly(expected);
            assertThat(scaleA).containsExactly(scaleE);
            assertThat(minScaleA).containsExactly(minScaleE);
            assertThat(minsA).containsExactly(minsE);
        }
    }
}
