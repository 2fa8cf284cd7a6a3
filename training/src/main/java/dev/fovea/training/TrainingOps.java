package dev.fovea.training;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * The differentiable operations of the ShapesWorld models, written to compute what Fovea's engine (and llama.cpp)
 * compute on the written GGUF files: LayerNorm and RMSNorm as ggml defines them, the tanh form of GELU, SiLU.
 * Every operation keeps the activation as the receiver (see {@link Parameters}).
 */
final class TrainingOps {
    private static final float GELU_C = 0.7978845608028654f; // sqrt(2 / pi)

    private TrainingOps() {
    }

    /** {@code x · w + b} for {@code w} held as {@code [in, out]}; {@code b} may be null. */
    static NDArray linear(NDArray x, NDArray w, NDArray b) {
        NDArray y = x.matMul(w);
        return b == null ? y : y.add(b);
    }

    /**
     * A scalar tensor in {@code like}'s manager whose memory PyTorch owns. DJL's own scalar operations
     * ({@code mul(Number)}, ...) wrap a Java buffer that they release right after the call, while autograd keeps the
     * scalar for the backward pass: after a garbage collection that reads freed memory (NaN gradients).
     */
    static NDArray scalar(NDArray like, float value) {
        return OwnedTensors.of(like.getManager(), new float[] {value}, new ai.djl.ndarray.types.Shape());
    }

    static NDArray layerNorm(NDArray x, NDArray w, NDArray b, float eps) {
        NDArray mean = x.mean(new int[] {-1}, true);
        NDArray centred = x.sub(mean);
        NDArray var = centred.square().mean(new int[] {-1}, true);
        return centred.div(var.add(scalar(x, eps)).sqrt()).mul(w).add(b);
    }

    static NDArray rmsNorm(NDArray x, NDArray w, float eps) {
        NDArray ms = x.square().mean(new int[] {-1}, true);
        return x.div(ms.add(scalar(x, eps)).sqrt()).mul(w);
    }

    /** GELU in its tanh form, as ggml's {@code ggml_gelu}. */
    static NDArray gelu(NDArray x) {
        NDArray cube = x.mul(x).mul(x);
        NDArray inner = x.add(cube.mul(scalar(x, 0.044715f))).mul(scalar(x, GELU_C));
        return x.mul(inner.tanh().add(scalar(x, 1f))).mul(scalar(x, 0.5f));
    }

    static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /**
     * Multi-head attention of {@code [B, T, H·D]} queries over {@code [B, S, H·D]} keys and values (S = T for
     * self-attention; a resampler's queries read another sequence).
     *
     * @param mask additive {@code [B, 1, T, S]} mask (0 or a large negative), or null for full attention
     */
    static NDArray attention(NDArray q, NDArray k, NDArray v, int heads, NDArray mask) {
        long b = q.getShape().get(0);
        long t = q.getShape().get(1);
        long s = k.getShape().get(1);
        long d = q.getShape().get(2) / heads;
        NDArray qh = q.reshape(b, t, heads, d).transpose(0, 2, 1, 3);
        NDArray kh = k.reshape(b, s, heads, d).transpose(0, 2, 3, 1);
        NDArray vh = v.reshape(b, s, heads, d).transpose(0, 2, 1, 3);
        NDArray scores = qh.matMul(kh).mul(scalar(q, (float) (1.0 / Math.sqrt(d))));
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray out = scores.softmax(-1).matMul(vh);
        return out.transpose(0, 2, 1, 3).reshape(b, t, heads * d);
    }
}
