package dev.fovea.engine.sampling;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Chooses tokens from logits per a {@link SamplerConfig}. One instance per sequence (it owns the random state). */
public final class Sampler {
    private final SamplerConfig config;
    private final SplittableRandom random;

    public Sampler(SamplerConfig config) {
        this.config = config;
        this.random = new SplittableRandom(config.seed());
    }

    public SamplerConfig config() {
        return config;
    }

    /**
     * Picks the next token. {@code logits} is not modified; {@code history} holds the tokens so far (prompt and
     * generated) of which the last {@code penaltyLastN} are penalized.
     */
    public int sample(float[] logits, int[] history, int historyLength) {
        float[] l = applyPenalties(logits, history, historyLength);
        if (config.isGreedy()) {
            return argmax(l);
        }
        // candidates sorted by logit, descending: sort packed (order-preserving logit bits, index) keys
        int n = l.length;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = ((long) sortableBits(l[i]) << 32) | (0xFFFFFFFFL & ~i);
        }
        Arrays.sort(keys);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = ~(int) keys[n - 1 - i];
        }
        int keep = n;
        if (config.topK() > 0) {
            keep = Math.min(keep, config.topK());
        }
        double[] p = softmax(l, ids, keep, 1f);
        if (config.topP() < 1f) {
            double cum = 0;
            int cut = keep;
            for (int i = 0; i < keep; i++) {
                cum += p[i];
                if (cum >= config.topP()) {
                    cut = i + 1;
                    break;
                }
            }
            keep = Math.max(1, cut);
        }
        if (config.minP() > 0f) {
            double threshold = p[0] * config.minP();
            int cut = 1;
            while (cut < keep && p[cut] >= threshold) {
                cut++;
            }
            keep = cut;
        }
        double[] q = softmax(l, ids, keep, config.temperature());
        double u = random.nextDouble();
        double cum = 0;
        for (int i = 0; i < keep; i++) {
            cum += q[i];
            if (u < cum) {
                return ids[i];
            }
        }
        return ids[keep - 1];
    }

    private float[] applyPenalties(float[] logits, int[] history, int historyLength) {
        float[] l = logits;
        if (!config.logitBias().isEmpty()) {
            l = logits.clone();
            for (var e : config.logitBias().entrySet()) {
                if (e.getKey() >= 0 && e.getKey() < l.length) {
                    l[e.getKey()] += e.getValue();
                }
            }
        }
        boolean any = config.repeatPenalty() != 1f || config.frequencyPenalty() != 0f || config.presencePenalty() != 0f;
        if (!any || history == null || historyLength == 0 || config.penaltyLastN() == 0) {
            return l;
        }
        if (l == logits) {
            l = logits.clone();
        }
        java.util.HashMap<Integer, Integer> counts = new java.util.HashMap<>();
        for (int i = Math.max(0, historyLength - config.penaltyLastN()); i < historyLength; i++) {
            counts.merge(history[i], 1, Integer::sum);
        }
        for (var e : counts.entrySet()) {
            int id = e.getKey();
            if (id < 0 || id >= l.length) {
                continue;
            }
            float v = l[id];
            v = v > 0 ? v / config.repeatPenalty() : v * config.repeatPenalty();
            v -= e.getValue() * config.frequencyPenalty() + config.presencePenalty();
            l[id] = v;
        }
        return l;
    }

    /** Index of the largest logit; ties go to the lowest index, as llama.cpp's greedy sampler does. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double[] softmax(float[] l, int[] ids, int n, float temperature) {
        double[] p = new double[n];
        double max = l[ids[0]] / temperature;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(l[ids[i]] / temperature - max);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Maps float bits to ints whose signed order is the floats' order. */
    private static int sortableBits(float f) {
        int b = Float.floatToIntBits(f);
        return b >= 0 ? b : b ^ 0x7FFFFFFF;
    }
}
