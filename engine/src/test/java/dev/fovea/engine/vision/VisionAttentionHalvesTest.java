package dev.fovea.engine.vision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.engine.tensor.Parallel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The attention of CPUs without 512-bit vectors (8-lane halves) gives the bits of the 16-lane kernel, for head sizes
 * and patch counts that exercise the padding of keys and channels.
 */
class VisionAttentionHalvesTest {

    @Test
    void eightLaneHalvesGiveTheSixteenLaneBits() {
        SplittableRandom rnd = new SplittableRandom(11);
        int[][] shapes = {{50, 64, 2}, {17, 40, 1}, {197, 96, 3}, {5, 24, 2}};
        try (Parallel pool = Parallel.create(2)) {
            for (int[] s : shapes) {
                int n = s[0];
                int embd = s[1] * s[2];
                int count = 2;
                float[] q = random(rnd, count * n * embd);
                float[] k = random(rnd, count * n * embd);
                float[] v = random(rnd, count * n * embd);
                float[] wide = VisionAttention.run(q, k, v, count, n, embd, s[2], pool, true);
                float[] halves = VisionAttention.run(q, k, v, count, n, embd, s[2], pool, false);
                assertThat(halves).hasSameSizeAs(wide);
                for (int i = 0; i < wide.length; i++) {
                    assertThat(Float.floatToRawIntBits(halves[i])).as("n %d embd %d index %d", n, embd, i)
                            .isEqualTo(Float.floatToRawIntBits(wide[i]));
                }
            }
        }
    }

    private static float[] random(SplittableRandom rnd, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) (rnd.nextGaussian() * 2);
        }
        return a;
    }
}
