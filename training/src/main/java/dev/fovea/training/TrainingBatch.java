package dev.fovea.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * The arrays of one training step. Each picture's sequence is the prompt prefix, its image rows, then its question
 * segments packed one after another: a segment sees the prefix, the image and itself (not the other segments), and
 * its positions restart right after the image, so each question is trained exactly as it is asked alone — and the
 * image is encoded and run through the decoder once for all its questions.
 *
 * @param pixels    {@code [B · views, 3, S, S]}
 * @param prefix    {@code [B, P, V]} one-hot prefix tokens
 * @param segments  {@code [B, L, V]} one-hot segment tokens (zero rows at padding)
 * @param targets   {@code [B, L, V]} one-hot next tokens where an answer token is predicted, zero elsewhere
 * @param cos       {@code [B, T, 1, D/2]} rotary cosines, T = P + image rows + L
 * @param sin       rotary sines
 * @param mask      {@code [B, 1, T, T]} additive attention mask
 * @param predicted how many answer tokens are predicted (the loss is their mean)
 * @param patchColors {@code [B, views · patches, colour classes]} one-hot patch colours, or null when the examples
 *                    have no patch labels
 * @param patchKinds  {@code [B, patches, kind classes]} one-hot patch kinds, or null
 */
record TrainingBatch(NDArray pixels, NDArray prefix, NDArray segments, NDArray targets, NDArray cos, NDArray sin,
                     NDArray mask, int predicted, NDArray patchColors, NDArray patchKinds) {
    private static final float BLOCKED = -1e9f;

    static TrainingBatch build(NDManager m, List<TrainingExample> examples, int[] prefixIds, int imageRows,
                               VlmShape shape, int vocab) {
        int b = examples.size();
        int s = shape.vit().imageSize();
        int views = shape.views();
        int p = prefixIds.length;
        int l = 1;
        for (TrainingExample e : examples) {
            l = Math.max(l, e.questions().stream().mapToInt(TrainingExample.QaTokens::inputLength).sum());
        }
        int t = p + imageRows + l;
        int picture = views * 3 * s * s;
        float[] pixels = new float[b * picture];
        float[] prefix = new float[b * p * vocab];
        float[] seg = new float[b * l * vocab];
        float[] tgt = new float[b * l * vocab];
        int[] positions = new int[b * t];
        float[] mask = new float[b * t * t];
        java.util.Arrays.fill(mask, BLOCKED);
        int predicted = 0;
        int head = p + imageRows;
        for (int i = 0; i < b; i++) {
            TrainingExample e = examples.get(i);
            if (e.pixels().length != picture) {
                throw new IllegalArgumentException("an example has " + e.pixels().length + " pixel values, the shape's "
                        + views + " view(s) take " + picture);
            }
            System.arraycopy(e.pixels(), 0, pixels, i * picture, picture);
            for (int j = 0; j < p; j++) {
                prefix[(i * p + j) * vocab + prefixIds[j]] = 1f;
            }
            int base = i * t * t;
            for (int r = 0; r < head; r++) {
                positions[i * t + r] = r;
                java.util.Arrays.fill(mask, base + r * t, base + r * t + r + 1, 0f);
            }
            int at = 0;
            for (TrainingExample.QaTokens qa : e.questions()) {
                int n = qa.inputLength();
                for (int o = 0; o < n; o++) {
                    int token = o < qa.question().length ? qa.question()[o] : qa.answer()[o - qa.question().length];
                    seg[(i * l + at + o) * vocab + token] = 1f;
                    int next = o + 1 - qa.question().length; // index in the answer of the token predicted here
                    if (next >= 0) {
                        tgt[(i * l + at + o) * vocab + qa.answer()[next]] = 1f;
                        predicted++;
                    }
                    int row = head + at + o;
                    positions[i * t + row] = head + o;
                    java.util.Arrays.fill(mask, base + row * t, base + row * t + head, 0f);
                    java.util.Arrays.fill(mask, base + row * t + head + at, base + row * t + row + 1, 0f);
                }
                at += n;
            }
            for (int row = head + at; row < t; row++) {
                // padding sees the prefix only, so its softmax stays finite; it predicts nothing
                java.util.Arrays.fill(mask, base + row * t, base + row * t + p, 0f);
            }
        }
        int half = shape.llm().headDim() / 2;
        float[] cos = new float[b * t * half];
        float[] sin = new float[b * t * half];
        float scale = (float) Math.pow(shape.llm().ropeBase(), -2.0f / shape.llm().headDim());
        for (int k = 0; k < b * t; k++) {
            float theta = positions[k];
            for (int h = 0; h < half; h++) {
                // the engine's rope: the angle is multiplied by base^(−2/D) in float, pair by pair
                cos[k * half + h] = (float) Math.cos(theta);
                sin[k * half + h] = (float) Math.sin(theta);
                theta *= scale;
            }
        }
        NDArray colors = null;
        NDArray kinds = null;
        if (examples.stream().allMatch(e -> e.labels() != null)) {
            int patches = views * shape.vit().patches();
            float[] c = new float[b * patches * PatchLabels.COLOR_CLASSES];
            float[] k = new float[b * patches * PatchLabels.KIND_CLASSES];
            for (int i = 0; i < b; i++) {
                PatchLabels labels = examples.get(i).labels();
                for (int j = 0; j < patches; j++) {
                    c[(i * patches + j) * PatchLabels.COLOR_CLASSES + labels.colors()[j]] = 1f;
                    k[(i * patches + j) * PatchLabels.KIND_CLASSES + labels.kinds()[j]] = 1f;
                }
            }
            colors = OwnedTensors.of(m, c, new Shape(b, patches, PatchLabels.COLOR_CLASSES));
            kinds = OwnedTensors.of(m, k, new Shape(b, patches, PatchLabels.KIND_CLASSES));
        }
        return new TrainingBatch(OwnedTensors.of(m, pixels, new Shape((long) b * views, 3, s, s)), OwnedTensors.of(m, prefix, new Shape(b, p, vocab)),
                OwnedTensors.of(m, seg, new Shape(b, l, vocab)), OwnedTensors.of(m, tgt, new Shape(b, l, vocab)),
                OwnedTensors.of(m, cos, new Shape(b, t, 1, half)), OwnedTensors.of(m, sin, new Shape(b, t, 1, half)),
                OwnedTensors.of(m, mask, new Shape(b, 1, t, t)), predicted, colors, kinds);
    }
}
