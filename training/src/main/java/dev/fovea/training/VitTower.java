package dev.fovea.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * A CLIP-layout ViT as llama.cpp's {@code mmproj} files hold it: patch embedding (a stride-p convolution, as one
 * matrix over flattened {@code [3][p][p]} patches), class token, learned positions, pre-LayerNorm, pre-norm blocks
 * with biased attention and a GELU MLP. Returns the patch rows (class token dropped) of the last block that runs.
 * The FFN's first matrix is {@code ffn_down} and its second {@code ffn_up}, as the conformance fixtures name them.
 */
final class VitTower {
    private final VlmShape.Vit shape;
    private final Parameters p;
    private final String prefix;

    /** Creates the tower's parameters under {@code prefix} ({@code v.} in an mmproj). */
    VitTower(VlmShape.Vit shape, Parameters p, String prefix) {
        this.shape = shape;
        this.p = p;
        this.prefix = prefix;
        int d = shape.width();
        float std = 0.02f;
        float residualStd = (float) (std / Math.sqrt(2.0 * shape.blocks()));
        p.normal(prefix + "patch_embd.weight", std, shape.patchLength(), d);
        p.normal(prefix + "class_embd", std, d);
        p.normal(prefix + "position_embd.weight", std, shape.patches() + 1, d);
        p.constant(prefix + "pre_ln.weight", 1f, d);
        p.constant(prefix + "pre_ln.bias", 0f, d);
        for (int i = 0; i < shape.blocks(); i++) {
            String b = prefix + "blk." + i + ".";
            p.constant(b + "ln1.weight", 1f, d);
            p.constant(b + "ln1.bias", 0f, d);
            for (String m : new String[] {"attn_q", "attn_k", "attn_v"}) {
                p.normal(b + m + ".weight", std, d, d);
                p.constant(b + m + ".bias", 0f, d);
            }
            p.normal(b + "attn_out.weight", residualStd, d, d);
            p.constant(b + "attn_out.bias", 0f, d);
            p.constant(b + "ln2.weight", 1f, d);
            p.constant(b + "ln2.bias", 0f, d);
            p.normal(b + "ffn_down.weight", std, d, shape.ff());
            p.constant(b + "ffn_down.bias", 0f, shape.ff());
            p.normal(b + "ffn_up.weight", residualStd, shape.ff(), d);
            p.constant(b + "ffn_up.bias", 0f, d);
        }
    }

    VlmShape.Vit shape() {
        return shape;
    }

    String prefix() {
        return prefix;
    }

    /** {@code pixels}: {@code [B, 3, S, S]} preprocessed images → {@code [B, patches, width]}. */
    NDArray forward(NDArray pixels) {
        long b = pixels.getShape().get(0);
        int g = shape.grid();
        int ps = shape.patchSize();
        int d = shape.width();
        NDArray patches = pixels.reshape(b, 3, g, ps, g, ps).transpose(0, 2, 4, 1, 3, 5)
                .reshape(b, (long) g * g, shape.patchLength());
        NDArray x = patches.matMul(w("patch_embd.weight"));
        NDArray cls = x.getManager().zeros(new ai.djl.ndarray.types.Shape(b, 1, d)).add(w("class_embd"));
        x = NDArrays.concat(new NDList(cls, x), 1).add(w("position_embd.weight"));
        x = TrainingOps.layerNorm(x, w("pre_ln.weight"), w("pre_ln.bias"), VlmShape.VIT_EPS);
        for (int i = 0; i < shape.blocks(); i++) {
            String bl = "blk." + i + ".";
            NDArray h = TrainingOps.layerNorm(x, w(bl + "ln1.weight"), w(bl + "ln1.bias"), VlmShape.VIT_EPS);
            NDArray q = TrainingOps.linear(h, w(bl + "attn_q.weight"), w(bl + "attn_q.bias"));
            NDArray k = TrainingOps.linear(h, w(bl + "attn_k.weight"), w(bl + "attn_k.bias"));
            NDArray v = TrainingOps.linear(h, w(bl + "attn_v.weight"), w(bl + "attn_v.bias"));
            NDArray a = TrainingOps.attention(q, k, v, shape.heads(), null);
            x = x.add(TrainingOps.linear(a, w(bl + "attn_out.weight"), w(bl + "attn_out.bias")));
            h = TrainingOps.layerNorm(x, w(bl + "ln2.weight"), w(bl + "ln2.bias"), VlmShape.VIT_EPS);
            h = TrainingOps.gelu(TrainingOps.linear(h, w(bl + "ffn_down.weight"), w(bl + "ffn_down.bias")));
            x = x.add(TrainingOps.linear(h, w(bl + "ffn_up.weight"), w(bl + "ffn_up.bias")));
        }
        return x.get(":, 1:, :");
    }

    private NDArray w(String name) {
        return p.get(prefix + name);
    }
}
