package dev.fovea.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The blocked attention helpers give exactly the bits of the one-at-a-time operations they replace: four scores at
 * once ({@link VectorMath#dots4}) against {@link VectorMath#dot}, and the values' weighted sum
 * ({@link VectorMath#weightedSum}) against repeated {@link VectorMath#axpy} — so decoding, prompts and batches keep
 * giving the same logits as before.
 */
class VectorMathBlocksTest {
    @ParameterizedTest
    @ValueSource(ints = {64, 128, 80, 100, 7, 8, 33})
    void blockedOperationsHaveTheBitsOfTheSingleOnes(int n) {
        SplittableRandom rnd = new SplittableRandom(n);
        int keys = 37;
        int stride = n + 24;
        float[] q = new float[n + 5];
        float[] k = new float[keys * stride + 3];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < k.length; i++) {
            k[i] = (float) rnd.nextGaussian();
        }
        float scale = 0.125f;
        float[] scores = new float[keys];
        for (int j = 0; j + 4 <= keys; j += 4) {
            VectorMath.dots4(q, 5, k, 3 + j * stride, stride, n, scale, scores, j);
            for (int t = 0; t < 4; t++) {
                float single = VectorMath.dot(q, 5, k, 3 + (j + t) * stride, n) * scale;
                assertThat(Float.floatToRawIntBits(scores[j + t])).as("score %d", j + t)
                        .isEqualTo(Float.floatToRawIntBits(single));
            }
        }
        float[] expected = new float[n + 2];
        float[] actual = new float[n + 2];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = actual[i] = (float) rnd.nextGaussian();
        }
        for (int j = 0; j < keys; j++) {
            scores[j] = (float) rnd.nextDouble();
            VectorMath.axpy(scores[j], k, 3 + j * stride, expected, 2, n);
        }
        VectorMath.weightedSum(scores, 0, keys, k, 3, stride, actual, 2, n);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.floatToRawIntBits(actual[i])).as("element %d", i)
                    .isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }
}
