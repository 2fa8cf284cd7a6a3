package dev.fovea.engine.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.engine.llm.DecoderModel;
import dev.fovea.engine.llm.KvCache;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.sampling.Sampler;
import java.util.List;

/** A reference's greedy tokens checked step by step, up to its first near-tie, as the reference tests do it. */
public final class GreedyReference {
    /** A top-two logit margin below this is a near-tie: the reference's choice there is down to rounding. */
    public static final double NEAR_TIE = 1e-3;

    private GreedyReference() {
    }

    /**
     * From {@code logits} (the last prompt position's), asserts each argmax equals {@code greedy[step]} and feeds it
     * back, stopping before the first step whose reference margin is a near-tie; returns the steps compared (at
     * least one).
     */
    public static int compare(DecoderModel m, KvCache cache, float[] logits, int[] greedy, double[] margins) {
        return compare(m, cache, logits, greedy, margins, NEAR_TIE);
    }

    /** As {@link #compare(DecoderModel, KvCache, float[], int[], double[])} with a case's own near-tie margin. */
    public static int compare(DecoderModel m, KvCache cache, float[] logits, int[] greedy, double[] margins,
                              double nearTie) {
        int compared = 0;
        for (int step = 0; step < greedy.length; step++) {
            if (margins[step] < nearTie) {
                break;
            }
            int token = Sampler.argmax(logits);
            assertThat(token).as("greedy step %d", step).isEqualTo(greedy[step]);
            compared++;
            logits = m.forward(cache, List.of(Segment.tokens(token)), false);
        }
        assertThat(compared).as("greedy steps compared").isGreaterThan(0);
        return compared;
    }
}
