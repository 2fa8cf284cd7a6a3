package dev.fovea.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * A llama-architecture decoder as llama.cpp's GGUF holds it: token embedding, pre-RMSNorm blocks of attention with
 * rotary positions on adjacent dimension pairs and a SwiGLU MLP, final RMSNorm, output matrix. Positions and the
 * attention mask come from the caller, so several question segments can share one image prefix.
 */
final class LlamaDecoder {
    private final VlmShape.Llm shape;
    private final int vocab;
    private final Parameters p;

    LlamaDecoder(VlmShape.Llm shape, int vocab, Parameters p) {
        this.shape = shape;
        this.vocab = vocab;
        this.p = p;
        int d = shape.dim();
        float std = 0.02f;
        float residualStd = (float) (std / Math.sqrt(2.0 * shape.layers()));
        p.normal("token_embd.weight", std, vocab, d);
        for (int i = 0; i < shape.layers(); i++) {
            String b = "blk." + i + ".";
            p.constant(b + "attn_norm.weight", 1f, d);
            p.normal(b + "attn_q.weight", std, d, d);
            p.normal(b + "attn_k.weight", std, d, d);
            p.normal(b + "attn_v.weight", std, d, d);
            p.normal(b + "attn_output.weight", residualStd, d, d);
            p.constant(b + "ffn_norm.weight", 1f, d);
            p.normal(b + "ffn_gate.weight", std, d, shape.ff());
            p.normal(b + "ffn_up.weight", std, d, shape.ff());
            p.normal(b + "ffn_down.weight", residualStd, shape.ff(), d);
        }
        p.constant("output_norm.weight", 1f, d);
        p.normal("output.weight", std, d, vocab);
    }

    VlmShape.Llm shape() {
        return shape;
    }

    int vocab() {
        return vocab;
    }

    /** {@code [.., V]} one-hot rows → embeddings. */
    NDArray embed(NDArray oneHot) {
        return oneHot.matMul(p.get("token_embd.weight"));
    }

    /**
     * @param x      {@code [B, T, d]} input embeddings
     * @param cos    {@code [B, T, 1, D/2]} rotary cosines of each position (D = head dim)
     * @param sin    the sines
     * @param mask   {@code [B, 1, T, T]} additive attention mask
     * @param from   first position whose logits are wanted
     * @return {@code [B, T − from, V]} logits
     */
    NDArray forward(NDArray x, NDArray cos, NDArray sin, NDArray mask, int from) {
        for (int i = 0; i < shape.layers(); i++) {
            String b = "blk." + i + ".";
            NDArray h = TrainingOps.rmsNorm(x, p.get(b + "attn_norm.weight"), VlmShape.NORM_EPS);
            NDArray q = rope(h.matMul(p.get(b + "attn_q.weight")), cos, sin);
            NDArray k = rope(h.matMul(p.get(b + "attn_k.weight")), cos, sin);
            NDArray v = h.matMul(p.get(b + "attn_v.weight"));
            NDArray a = TrainingOps.attention(q, k, v, shape.heads(), mask);
            x = x.add(a.matMul(p.get(b + "attn_output.weight")));
            h = TrainingOps.rmsNorm(x, p.get(b + "ffn_norm.weight"), VlmShape.NORM_EPS);
            NDArray gate = TrainingOps.silu(h.matMul(p.get(b + "ffn_gate.weight")));
            NDArray up = h.matMul(p.get(b + "ffn_up.weight"));
            x = x.add(gate.mul(up).matMul(p.get(b + "ffn_down.weight")));
        }
        NDArray tail = from == 0 ? x : x.get(":, " + from + ":, :");
        return TrainingOps.rmsNorm(tail, p.get("output_norm.weight"), VlmShape.NORM_EPS).matMul(p.get("output.weight"));
    }

    /** Rotation of adjacent pairs (2i, 2i+1) of each head, llama.cpp's "normal" rope for the llama architecture. */
    private NDArray rope(NDArray x, NDArray cos, NDArray sin) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int hd = shape.headDim();
        NDArray pairs = x.reshape(b, t, shape.heads(), hd / 2, 2);
        NDArray x0 = pairs.get("..., 0");
        NDArray x1 = pairs.get("..., 1");
        NDArray r0 = x0.mul(cos).sub(x1.mul(sin));
        NDArray r1 = x0.mul(sin).add(x1.mul(cos));
        return NDArrays.stack(new NDList(r0, r1), -1).reshape(b, t, (long) shape.heads() * hd);
    }
}
