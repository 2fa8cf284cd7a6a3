package dev.fovea.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.fovea.engine.adapter.ResamplerConfig;
import dev.fovea.engine.adapter.SinCosPositions;

/**
 * The projectors of {@code clip.projector_type} that ShapesWorld models train: {@code mlp} (Linear → GELU → Linear,
 * tensors {@code mm.0} and {@code mm.2}, LLaVA-1.5), {@code linear} ({@code mm.0} alone, BLIP-style) and
 * {@code resampler} (Qwen-VL-style: learned queries on a grid read the patches through one cross-attention layer, in
 * the layout of the engine's {@code ResamplerFormat}).
 */
final class Adapter {
    static final String MLP = "mlp";
    static final String LINEAR = "linear";
    static final String RESAMPLER = "resampler";
    static final String RESAMPLER_PREFIX = "resampler.";

    private final String kind;
    private final Parameters p;
    private final VlmShape.Vit vit;
    /** The resampler's shape; null for the other kinds. */
    private final ResamplerConfig resampler;

    Adapter(String kind, VlmShape.Vit vit, int out, Parameters p) {
        this.kind = kind;
        this.p = p;
        this.vit = vit;
        int in = vit.width();
        switch (kind) {
            case MLP, LINEAR -> {
                resampler = null;
                p.normal("mm.0.weight", (float) (1 / Math.sqrt(in)), in, out);
                p.constant("mm.0.bias", 0f, out);
                if (kind.equals(MLP)) {
                    p.normal("mm.2.weight", (float) (1 / Math.sqrt(out)), out, out);
                    p.constant("mm.2.bias", 0f, out);
                }
            }
            case RESAMPLER -> {
                int q = queryGrid(vit.grid());
                // the attention runs at the tower's width, so no kv projection; keys get sin-cos positions computed
                // at the patch grid, queries those of their own grid (Qwen-VL's, without its bicubic resize)
                resampler = new ResamplerConfig(in, in, out, vit.heads(), q, q, VlmShape.VIT_EPS,
                        ResamplerConfig.KeyPositions.DIRECT, true);
                String r = RESAMPLER_PREFIX;
                p.normal(r + "query", 0.02f, resampler.queries(), in);
                for (String n : new String[] {"ln_q", "ln_kv", "ln_post"}) {
                    p.constant(r + n + ".weight", 1f, in);
                    p.constant(r + n + ".bias", 0f, in);
                }
                for (String n : new String[] {"q", "k", "v", "out"}) {
                    p.normal(r + "attn." + n + ".weight", (float) (1 / Math.sqrt(in)), in, in);
                    p.constant(r + "attn." + n + ".bias", 0f, in);
                }
                p.normal(r + "proj.weight", (float) (1 / Math.sqrt(in)), in, out);
            }
            default -> throw new IllegalArgumentException("adapter '" + kind + "' is not trained here (mlp, linear, "
                    + "resampler)");
        }
    }

    /**
     * The side of the resampler's query grid for a tower of {@code patchGrid}² patches: about a quarter as many
     * queries as patches, Qwen-VL's ratio (256 queries for 1,024 patches).
     */
    static int queryGrid(int patchGrid) {
        return (patchGrid + 1) / 2;
    }

    String kind() {
        return kind;
    }

    /** The resampler's shape, or null when the adapter is not one. */
    ResamplerConfig resampler() {
        return resampler;
    }

    /** Rows the adapter gives per image. */
    int outputRows() {
        return resampler == null ? vit.patches() : resampler.queries();
    }

    /** {@code [B, patches, width]} tower features → {@code [B, outputRows, llmDim]}. */
    NDArray forward(NDArray features) {
        if (resampler != null) {
            return resample(features);
        }
        NDArray x = TrainingOps.linear(features, p.get("mm.0.weight"), p.get("mm.0.bias"));
        if (kind.equals(MLP)) {
            x = TrainingOps.linear(TrainingOps.gelu(x), p.get("mm.2.weight"), p.get("mm.2.bias"));
        }
        return x;
    }

    /** What {@code ResamplerProjector} computes: kv = ln_kv(x); attention(ln_q(query) + pos, kv + pos, kv). */
    private NDArray resample(NDArray features) {
        long b = features.getShape().get(0);
        int e = resampler.embedDim();
        int n = resampler.queries();
        var m = features.getManager();
        NDArray kv = TrainingOps.layerNorm(features, r("ln_kv.weight"), r("ln_kv.bias"), resampler.eps());
        NDArray keyIn = kv.add(OwnedTensors.of(m, SinCosPositions.grid(e, vit.grid(), vit.grid()),
                new Shape(vit.patches(), e)));
        // the queries broadcast over the batch with an activation as receiver (see Parameters)
        NDArray queries = m.zeros(new Shape(b, n, e)).add(r("query"));
        NDArray queryIn = TrainingOps.layerNorm(queries, r("ln_q.weight"), r("ln_q.bias"), resampler.eps())
                .add(OwnedTensors.of(m, SinCosPositions.grid(e, resampler.queryRows(), resampler.queryCols()),
                        new Shape(n, e)));
        NDArray q = TrainingOps.linear(queryIn, r("attn.q.weight"), r("attn.q.bias"));
        NDArray k = TrainingOps.linear(keyIn, r("attn.k.weight"), r("attn.k.bias"));
        NDArray v = TrainingOps.linear(kv, r("attn.v.weight"), r("attn.v.bias"));
        NDArray a = TrainingOps.linear(TrainingOps.attention(q, k, v, resampler.heads(), null),
                r("attn.out.weight"), r("attn.out.bias"));
        return TrainingOps.layerNorm(a, r("ln_post.weight"), r("ln_post.bias"), resampler.eps())
                .matMul(r("proj.weight"));
    }

    private NDArray r(String name) {
        return p.get(RESAMPLER_PREFIX + name);
    }
}
