package dev.fovea.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] THREE = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};

    private static SamplerConfig cfg(float temp, int topK, float topP, float minP, float repeat, long seed) {
        return new SamplerConfig(temp, topK, topP, minP, repeat, 0f, 0f, 64, seed);
    }

    private static double[] frequencies(SamplerConfig c, float[] logits, int draws) {
        Sampler s = new Sampler(c);
        double[] f = new double[logits.length];
        for (int i = 0; i < draws; i++) {
            f[s.sample(logits, new int[0], 0)] += 1.0 / draws;
        }
        return f;
    }

    @Test
    void greedyIsTheArgmaxWithTiesToTheLowestId() {
        Sampler s = new Sampler(SamplerConfig.greedy());
        assertThat(s.sample(new float[] {0.1f, 3f, 3f, -1f}, new int[0], 0)).isEqualTo(1);
        assertThat(Sampler.argmax(new float[] {-5f, -5f})).isZero();
    }

    @Test
    void temperatureOneDrawsFromTheSoftmax() {
        double[] f = frequencies(cfg(1f, 0, 1f, 0f, 1f, 42), THREE, 40_000);
        assertThat(f[0]).isBetween(0.48, 0.52);
        assertThat(f[1]).isBetween(0.28, 0.32);
        assertThat(f[2]).isBetween(0.18, 0.22);
    }

    @Test
    void topKTopPAndMinPCutTheTail() {
        assertThat(frequencies(cfg(1f, 1, 1f, 0f, 1f, 1), THREE, 2000)[0]).isEqualTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        // top-p 0.6: 0.5 is not enough, 0.5 + 0.3 is: tokens 0 and 1 only, renormalized to 5/8 and 3/8
        double[] p = frequencies(cfg(1f, 0, 0.6f, 0f, 1f, 2), THREE, 40_000);
        assertThat(p[2]).isZero();
        assertThat(p[0]).isBetween(0.6, 0.65);
        // min-p 0.5: keep tokens with p ≥ 0.25 → 0 and 1
        assertThat(frequencies(cfg(1f, 0, 1f, 0.5f, 1f, 3), THREE, 20_000)[2]).isZero();
    }

    @Test
    void lowTemperatureSharpensAndTheSeedMakesDrawsReproducible() {
        assertThat(frequencies(cfg(0.1f, 0, 1f, 0f, 1f, 4), THREE, 5000)[0]).isGreaterThan(0.99);
        Sampler a = new Sampler(cfg(1f, 0, 1f, 0f, 1f, 7));
        Sampler b = new Sampler(cfg(1f, 0, 1f, 0f, 1f, 7));
        Sampler c = new Sampler(cfg(1f, 0, 1f, 0f, 1f, 8));
        int[] sa = new int[64];
        int[] sb = new int[64];
        int[] sc = new int[64];
        for (int i = 0; i < 64; i++) {
            sa[i] = a.sample(THREE, new int[0], 0);
            sb[i] = b.sample(THREE, new int[0], 0);
            sc[i] = c.sample(THREE, new int[0], 0);
        }
        assertThat(sa).isEqualTo(sb).isNotEqualTo(sc);
    }

    @Test
    void penaltiesLowerRecentTokens() {
        float[] logits = {2f, 1.9f, -1f};
        assertThat(new Sampler(cfg(0f, 0, 1f, 0f, 1.1f, 0)).sample(logits, new int[] {0}, 1)).isEqualTo(1);
        assertThat(new Sampler(cfg(0f, 0, 1f, 0f, 1.0f, 0)).sample(logits, new int[] {0}, 1)).isZero();
        // the window: a token outside the last penaltyLastN is not penalized
        SamplerConfig window = new SamplerConfig(0f, 0, 1f, 0f, 1.1f, 0f, 0f, 1, 0);
        assertThat(new Sampler(window).sample(logits, new int[] {0, 2}, 2)).isZero();
        // presence penalty (OpenAI semantics): subtract once per present token
        SamplerConfig presence = new SamplerConfig(0f, 0, 1f, 0f, 1f, 0f, 0.5f, 64, 0);
        assertThat(new Sampler(presence).sample(logits, new int[] {0}, 1)).isEqualTo(1);
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThatThrownBy(() -> cfg(-1f, 0, 1f, 0f, 1f, 0)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> cfg(1f, 0, 0f, 0f, 1f, 0)).hasMessageContaining("top_p");
        assertThatThrownBy(() -> cfg(1f, 0, 1f, 2f, 1f, 0)).hasMessageContaining("min_p");
    }

    @Test
    void logitBiasMovesTheArgmaxAndMinusHundredBansAToken() {
        SamplerConfig banned = new SamplerConfig(0f, 0, 1f, 0f, 1f, 0f, 0f, 64, 0, java.util.Map.of(0, -100f));
        assertThat(new Sampler(banned).sample(THREE, new int[0], 0)).isEqualTo(1);
        SamplerConfig favoured = new SamplerConfig(0f, 0, 1f, 0f, 1f, 0f, 0f, 64, 0, java.util.Map.of(2, 5f));
        assertThat(new Sampler(favoured).sample(THREE, new int[0], 0)).isEqualTo(2);
        assertThat(THREE[0]).as("the caller's logits are left as they were").isEqualTo((float) Math.log(0.5));
        assertThatThrownBy(() -> new SamplerConfig(0f, 0, 1f, 0f, 1f, 0f, 0f, 64, 0,
                java.util.Map.of(1, Float.NaN))).hasMessageContaining("logit_bias");
    }
}
