package dev.fovea.engine.pipeline;

/**
 * The model's log-probabilities at one generated position (log-softmax of the raw logits, before penalties, biases,
 * constraints and temperature, as OpenAI's and vLLM's logprobs report them): the chosen token's, and the most
 * likely tokens' in descending order.
 */
public record TokenLogprobs(float logprob, int[] topIds, float[] topLogprobs) {

    /** At most this many alternatives per position, as OpenAI's top_logprobs allows. */
    public static final int MAX_TOP = 20;

    /** The log-probabilities of {@code chosen} and of the {@code top} most likely tokens under {@code logits}. */
    static TokenLogprobs of(float[] logits, int chosen, int top) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        float logZ = (float) (max + Math.log(sum));
        int k = Math.min(top, logits.length);
        int[] ids = new int[k];
        float[] lps = new float[k];
        // k ≤ 20 passes of insertion into a short sorted list: cheaper than sorting the vocabulary
        int filled = 0;
        for (int i = 0; i < logits.length && k > 0; i++) {
            float v = logits[i];
            if (filled == k && v <= lps[k - 1]) {
                continue;
            }
            int at = filled < k ? filled++ : k - 1;
            while (at > 0 && lps[at - 1] < v) {
                lps[at] = lps[at - 1];
                ids[at] = ids[at - 1];
                at--;
            }
            lps[at] = v;
            ids[at] = i;
        }
        for (int i = 0; i < k; i++) {
            lps[i] -= logZ;
        }
        return new TokenLogprobs(logits[chosen] - logZ, ids, lps);
    }
}
