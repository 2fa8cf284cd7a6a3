package dev.fovea.engine.adapter;

import dev.fovea.engine.layers.DenseLayer;
import dev.fovea.engine.layers.LayerNormWeights;
import dev.fovea.engine.ops.Softmax;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.FeatureMap;
import java.util.List;

/**
 * Qwen-VL's resampler: a fixed set of learned queries reads the patch features through one multi-head
 * cross-attention layer, so any number of patches becomes {@link ResamplerConfig#queries()} tokens.
 *
 * <pre>
 *   kv   = ln_kv(kv_proj(x))                       x: [T][inputDim] patch features on a gh × gw grid
 *   q_in = ln_q(query) + pos(query grid)           query: [N][embedDim]; no pos for MiniCPM-V
 *   k_in = kv + pos(patch grid)                    (see {@link ResamplerConfig.KeyPositions})
 *   a    = MultiHeadAttention(q_in, k_in, kv)      in-projections q/k/v with bias, out-projection with bias
 *   y    = proj(ln_post(a))                        [N][outputDim]
 * </pre>
 * Values carry no positions, as in Qwen-VL. The output keeps the query grid as its layout.
 */
public final class ResamplerProjector implements Projector {
    /** The adapter kind, as in {@code clip.projector_type}. */
    public static final String KIND = "resampler";

    /** All learned parameters; {@code kvProj} is null when the encoder width equals the embed width. */
    record Weights(float[] query, DenseLayer kvProj, LayerNormWeights lnQ, LayerNormWeights lnKv,
                   DenseLayer attnQ, DenseLayer attnK, DenseLayer attnV, DenseLayer attnOut,
                   LayerNormWeights lnPost, DenseLayer proj) {
    }

    private final ResamplerConfig config;
    private final Weights w;
    private final float[] queryPositions;

    ResamplerProjector(ResamplerConfig config, Weights weights) {
        int e = config.embedDim();
        if (weights.query().length != config.queries() * e) {
            throw new IllegalArgumentException("query table of " + weights.query().length + " floats is not "
                    + config.queries() + "×" + e);
        }
        if (weights.kvProj() == null ? config.inputDim() != e
                : weights.kvProj().inputDim() != config.inputDim() || weights.kvProj().outputDim() != e) {
            throw new IllegalArgumentException("kv projection does not map " + config.inputDim() + " to " + e);
        }
        for (DenseLayer d : List.of(weights.attnQ(), weights.attnK(), weights.attnV(), weights.attnOut())) {
            if (d.inputDim() != e || d.outputDim() != e) {
                throw new IllegalArgumentException("attention projection " + d.outputDim() + "×" + d.inputDim()
                        + " is not " + e + "×" + e);
            }
        }
        for (LayerNormWeights n : List.of(weights.lnQ(), weights.lnKv(), weights.lnPost())) {
            if (n.dim() != e) {
                throw new IllegalArgumentException("layer norm of " + n.dim() + " in a resampler of width " + e);
            }
        }
        if (weights.proj().inputDim() != e || weights.proj().outputDim() != config.outputDim()) {
            throw new IllegalArgumentException("output projection does not map " + e + " to " + config.outputDim());
        }
        this.config = config;
        this.w = weights;
        this.queryPositions = config.queryPositions() || config.keyPositions() == ResamplerConfig.KeyPositions.INTERPOLATE
                ? SinCosPositions.grid(e, config.queryRows(), config.queryCols()) : null;
    }

    public ResamplerConfig config() {
        return config;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public int outputDim() {
        return config.outputDim();
    }

    @Override
    public int outputTokens(List<Integer> inputTokens) {
        if (inputTokens.size() != 1) {
            throw new IllegalArgumentException("the resampler takes one input, got " + inputTokens.size());
        }
        return config.queries();
    }

    @Override
    public FeatureMap project(List<FeatureMap> inputs, Parallel pool) {
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("the resampler takes one input, got " + inputs.size());
        }
        FeatureMap x = inputs.getFirst();
        if (x.dim() != config.inputDim()) {
            throw new IllegalArgumentException("resampler expects features of width " + config.inputDim() + ", got " + x.dim());
        }
        if (x.tokens() == 0) {
            throw new IllegalArgumentException("the resampler needs at least one patch");
        }
        float[] attended = attend(x, pool);
        float[] out = w.proj().apply(w.lnPost().apply(attended, config.queries()), config.queries(), pool);
        return new FeatureMap(out, config.queries(), config.outputDim(), config.queryRows(), config.queryCols());
    }

    /** Cross-attention of the queries over the patches; returns [N][embedDim] after the out-projection. */
    float[] attend(FeatureMap x, Parallel pool) {
        int e = config.embedDim(), t = x.tokens(), n = config.queries();
        float[] kvIn = w.kvProj() == null ? x.data() : w.kvProj().apply(x.data(), t, pool);
        float[] kv = w.lnKv().apply(kvIn, t);
        float[] keyIn = kv.clone();
        addInPlace(keyIn, keyPositions(x.gridHeight(), x.gridWidth()));
        float[] queryIn = w.lnQ().apply(w.query(), n);
        if (config.queryPositions()) {
            addInPlace(queryIn, queryPositions);
        }

        float[] q = w.attnQ().apply(queryIn, n, pool);
        float[] k = w.attnK().apply(keyIn, t, pool);
        float[] v = w.attnV().apply(kv, t, pool);
        float[] heads = new float[n * e];
        int hd = config.headDim();
        float scale = (float) (1.0 / Math.sqrt(hd));
        pool.forRange(n, (from, to) -> {
            float[] scores = new float[t];
            for (int i = from; i < to; i++) {
                for (int h = 0; h < config.heads(); h++) {
                    int qo = i * e + h * hd;
                    for (int j = 0; j < t; j++) {
                        int ko = j * e + h * hd;
                        float s = 0;
                        for (int c = 0; c < hd; c++) {
                            s += q[qo + c] * k[ko + c];
                        }
                        scores[j] = s * scale;
                    }
                    Softmax.inPlace(scores, 0, t);
                    for (int j = 0; j < t; j++) {
                        float p = scores[j];
                        int vo = j * e + h * hd;
                        for (int c = 0; c < hd; c++) {
                            heads[qo + c] += p * v[vo + c];
                        }
                    }
                }
            }
        });
        return w.attnOut().apply(heads, n, pool);
    }

    /** The keys' positions on a {@code rows × cols} patch grid. */
    float[] keyPositions(int rows, int cols) {
        return switch (config.keyPositions()) {
            case DIRECT -> SinCosPositions.grid(config.embedDim(), rows, cols);
            case INTERPOLATE -> BicubicGridResize.resize(queryPositions, config.queryRows(), config.queryCols(),
                    config.embedDim(), rows, cols);
        };
    }

    private static void addInPlace(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
    }
}
