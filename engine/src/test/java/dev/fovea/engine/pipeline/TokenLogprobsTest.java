package dev.fovea.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenLogprobsTest {
    @Test
    void logprobsAreTheLogSoftmaxAndTheTopAreTheLargestInOrder() {
        float[] logits = new float[1000];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) r.nextDouble(-5, 5);
        }
        TokenLogprobs lp = TokenLogprobs.of(logits, 17, 5);
        double z = 0;
        for (float v : logits) {
            z += Math.exp(v);
        }
        assertThat((double) lp.logprob()).isCloseTo(logits[17] - Math.log(z), within(1e-4));
        float[] sorted = logits.clone();
        java.util.Arrays.sort(sorted);
        for (int k = 0; k < 5; k++) {
            assertThat(logits[lp.topIds()[k]]).isEqualTo(sorted[sorted.length - 1 - k]);
            assertThat((double) lp.topLogprobs()[k]).isCloseTo(logits[lp.topIds()[k]] - Math.log(z), within(1e-4));
        }
        assertThat(TokenLogprobs.of(logits, 0, 0).topIds()).isEmpty();
    }
}
