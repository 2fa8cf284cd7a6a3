package dev.fovea.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.fovea.engine.adapter.FusionConfig;
import dev.fovea.engine.adapter.FusionFormat;
import dev.fovea.engine.adapter.ResamplerConfig;
import dev.fovea.engine.adapter.SinCosPositions;
import java.util.List;

/**
 * The projectors of {@code clip.projector_type} that ShapesWorld models train: {@code mlp} (Linear → GELU → Linear,
 * tensors {@code mm.0} and {@code mm.2}, LLaVA-1.5), {@code linear} ({@code mm.0} alone, BLIP-style) and
 * {@code resampler} (Qwen-VL-style: learned queries on a grid read the patches through one cross-attention layer, in
 * the layout of the engine's {@code ResamplerFormat}) and {@code fusion} (SPHINX-style: two towers' grids pooled to
 * one, concatenated, linear map and LayerNorm, in the layout of the engine's {@code FusionFormat}).
 */
final class Adapter {
    static final String MLP = "mlp";
    static final String LINEAR = "linear";
    static final String RESAMPLER = "resampler";
    /** The engine's names for the resampler's tensors, which the parameters take too (the writer looks them up so). */
    static final String RESAMPLER_PREFIX = dev.fovea.engine.adapter.ResamplerFormat.STANDALONE.tensorPrefix();
    static final String FUSION = "fusion";

    private final String kind;
    private final Parameters p;
    private final VlmShape.Vit vit;
    /** The resampler's shape; null for the other kinds. */
    private final ResamplerConfig resampler;
    /** The fusion adapter's shape; null for the other kinds. */
    private final FusionConfig fusion;

    Adapter(VlmShape shape, Parameters p) {
        this.kind = shape.adapter();
        this.p = p;
        this.vit = shape.vit();
        int in = vit.width();
        int out = shape.llm().dim();
        switch (kind) {
            case MLP, LINEAR -> {
                resampler = null;
                fusion = null;
                p.normal("mm.0.weight", (float) (1 / Math.sqrt(in)), in, out);
                p.constant("mm.0.bias", 0f, out);
                if (kind.equals(MLP)) {
                    p.normal("mm.2.weight", (float) (1 / Math.sqrt(out)), out, out);
                    p.constant("mm.2.bias", 0f, out);
                }
            }
            case RESAMPLER -> {
                fusion = null;
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
            case FUSION -> {
                resampler = null;
                fusion = new FusionConfig(List.of(in, shape.fine().width()), vit.grid(), vit.grid(), out,
                        FusionFormat.DEFAULT_EPS, -1);
                p.normal(FusionFormat.FC_WEIGHT, (float) (1 / Math.sqrt(fusion.concatDim())), fusion.concatDim(), out);
                p.constant(FusionFormat.FC_BIAS, 0f, out);
                p.constant(FusionFormat.LN_WEIGHT, 1f, out);
                p.constant(FusionFormat.LN_BIAS, 0f, out);
            }
            default -> throw new IllegalArgumentException("adapter '" + kind + "' is not trained here (mlp, linear, "
                    + "resampler, fusion)");
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

    /** The fusion adapter's shape, or null when the adapter is not one. */
    FusionConfig fusion() {
        return fusion;
    }

    /**
     * {@code [B, patches, width]} tower features → {@code [B, outputRows, llmDim]}; {@code fine} is the second
     * tower's (fusion only, else null).
     */
    NDArray forward(NDArray features, NDArray fine) {
        if (fusion != null) {
            return fuse(features, fine);
        }
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

    /**
     * What {@code FusionProjector} computes without a query branch: the fine grid average-pooled onto the first
     * tower's (an exact f × f mean, the integer case of adaptive average pooling), the two concatenated
     * channel-wise (the first tower's channels first), then LayerNorm(W·x + b).
     */
    private NDArray fuse(NDArray coarse, NDArray fine) {
        NDArray x = NDArrays.concat(new NDList(coarse, poolOnto(fine, fusion.gridRows())), 2);
        return TrainingOps.layerNorm(TrainingOps.linear(x, p.get(FusionFormat.FC_WEIGHT), p.get(FusionFormat.FC_BIAS)),
                p.get(FusionFormat.LN_WEIGHT), p.get(FusionFormat.LN_BIAS), fusion.eps());
    }

    /**
     * {@code [B, (f·g)², D]} patch rows of a square grid average-pooled f × f onto a {@code g × g} grid:
     * {@code [B, g², D]}.
     */
    static NDArray poolOnto(NDArray fine, int g) {
        long b = fine.getShape().get(0);
        int fineGrid = (int) Math.round(Math.sqrt(fine.getShape().get(1)));
        int f = fineGrid / g;
        long d = fine.getShape().get(2);
        return fine.reshape(b, g, f, g, f, d).mean(new int[] {4}).mean(new int[] {2}).reshape(b, (long) g * g, d);
    }

    private NDArray r(String name) {
        return p.get(RESAMPLER_PREFIX + name);
    }
}
