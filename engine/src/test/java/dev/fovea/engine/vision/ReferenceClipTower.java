package dev.fovea.engine.vision;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufTensorInfo;
import dev.fovea.engine.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A deliberately plain re-implementation of the CLIP/SigLIP tower and the MLP projector for tests: double
 * precision, scalar loops, weights read straight from the file's bytes, exact GELU. Shares no code with the
 * engine's encoder, so agreement means both follow the same definition.
 */
final class ReferenceClipTower {
    private final GgufFile f;

    ReferenceClipTower(GgufFile f) {
        this.f = f;
    }

    /** The tensor as doubles, flattened in file order (ne[0] fastest). */
    double[] tensor(String name) throws Exception {
        GgufTensorInfo t = f.tensor(name);
        MemorySegment seg = f.data(t);
        int n = Math.toIntExact(t.elementCount());
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = t.type() == GgmlType.F16
                    ? Float.float16ToFloat(seg.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i))
                    : seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4L * i);
        }
        return out;
    }

    double[] optional(String name) throws Exception {
        return f.hasTensor(name) ? tensor(name) : null;
    }

    /** y[t][r] = Σ_c w[r·cols + c]·x[t][c] + b[r]. */
    static double[][] linear(double[][] x, double[] w, double[] b, int rows) {
        int cols = x[0].length;
        double[][] y = new double[x.length][rows];
        for (int t = 0; t < x.length; t++) {
            for (int r = 0; r < rows; r++) {
                double s = b == null ? 0 : b[r];
                for (int c = 0; c < cols; c++) {
                    s += w[r * cols + c] * x[t][c];
                }
                y[t][r] = s;
            }
        }
        return y;
    }

    static double[][] layerNorm(double[][] x, double[] w, double[] b, double eps) {
        double[][] y = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            int d = x[t].length;
            double mean = 0;
            for (double v : x[t]) {
                mean += v;
            }
            mean /= d;
            double var = 0;
            for (double v : x[t]) {
                var += (v - mean) * (v - mean);
            }
            var /= d;
            y[t] = new double[d];
            for (int i = 0; i < d; i++) {
                y[t][i] = (x[t][i] - mean) / Math.sqrt(var + eps) * w[i] + (b == null ? 0 : b[i]);
            }
        }
        return y;
    }

    static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    static double quickGelu(double x) {
        return x / (1 + Math.exp(-1.702 * x));
    }

    /** softmax(q·kᵀ/√dh)·v per head, rows = tokens, width = heads·dh. */
    static double[][] attention(double[][] q, double[][] k, double[][] v, int heads) {
        int n = q.length;
        int width = q[0].length;
        int dh = width / heads;
        double[][] out = new double[n][width];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < n; i++) {
                double[] s = new double[n];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    double dot = 0;
                    for (int d = 0; d < dh; d++) {
                        dot += q[i][h * dh + d] * k[j][h * dh + d];
                    }
                    s[j] = dot / Math.sqrt(dh);
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int d = 0; d < dh; d++) {
                    double acc = 0;
                    for (int j = 0; j < n; j++) {
                        acc += s[j] / sum * v[j][h * dh + d];
                    }
                    out[i][h * dh + d] = acc;
                }
            }
        }
        return out;
    }

    /** Tower features (class row dropped) for a normalized image, running {@code blocks} blocks. */
    double[][] encode(float[] pixels, int blocks) throws Exception {
        int size = f.getInt("clip.vision.image_size", 0);
        int p = f.getInt("clip.vision.patch_size", 0);
        int d = f.getInt("clip.vision.embedding_length", 0);
        int ff = f.getInt("clip.vision.feed_forward_length", 0);
        int heads = f.getInt("clip.vision.attention.head_count", 0);
        double eps = f.getFloat("clip.vision.attention.layer_norm_epsilon", 0);
        boolean useGelu = f.getBool("clip.use_gelu", false);
        int side = size / p;
        double[] kernel = tensor("v.patch_embd.weight");
        double[] patchBias = optional("v.patch_embd.bias");
        double[] cls = optional("v.class_embd");
        double[] pos = tensor("v.position_embd.weight");
        int first = cls == null ? 0 : 1;
        int n = side * side + first;
        double[][] x = new double[n][d];
        for (int py = 0; py < side; py++) {
            for (int px = 0; px < side; px++) {
                int t = first + py * side + px;
                for (int o = 0; o < d; o++) {
                    double s = patchBias == null ? 0 : patchBias[o];
                    for (int c = 0; c < 3; c++) {
                        for (int ky = 0; ky < p; ky++) {
                            for (int kx = 0; kx < p; kx++) {
                                s += kernel[((o * 3 + c) * p + ky) * p + kx] * pixels[(c * size + py * p + ky) * size + px * p + kx];
                            }
                        }
                    }
                    x[t][o] = s;
                }
            }
        }
        if (cls != null) {
            x[0] = cls.clone();
        }
        for (int t = 0; t < n; t++) {
            for (int o = 0; o < d; o++) {
                x[t][o] += pos[t * d + o];
            }
        }
        if (f.hasTensor("v.pre_ln.weight")) {
            x = layerNorm(x, tensor("v.pre_ln.weight"), optional("v.pre_ln.bias"), eps);
        }
        for (int b = 0; b < blocks; b++) {
            String pre = "v.blk." + b + ".";
            double[][] h = layerNorm(x, tensor(pre + "ln1.weight"), optional(pre + "ln1.bias"), eps);
            double[][] q = linear(h, tensor(pre + "attn_q.weight"), optional(pre + "attn_q.bias"), d);
            double[][] k = linear(h, tensor(pre + "attn_k.weight"), optional(pre + "attn_k.bias"), d);
            double[][] v = linear(h, tensor(pre + "attn_v.weight"), optional(pre + "attn_v.bias"), d);
            double[][] o = linear(attention(q, k, v, heads), tensor(pre + "attn_out.weight"),
                    optional(pre + "attn_out.bias"), d);
            for (int t = 0; t < n; t++) {
                for (int i = 0; i < d; i++) {
                    x[t][i] += o[t][i];
                }
            }
            h = layerNorm(x, tensor(pre + "ln2.weight"), optional(pre + "ln2.bias"), eps);
            // the first FFN matrix is the one with n_ff rows (ne = [d, ff])
            String in = f.tensor(pre + "ffn_up.weight").shape()[1] == ff && ff != d ? "ffn_up" : "ffn_down";
            String out = in.equals("ffn_up") ? "ffn_down" : "ffn_up";
            double[][] u = linear(h, tensor(pre + in + ".weight"), optional(pre + in + ".bias"), ff);
            for (double[] row : u) {
                for (int i = 0; i < ff; i++) {
                    row[i] = useGelu ? gelu(row[i]) : quickGelu(row[i]);
                }
            }
            double[][] y = linear(u, tensor(pre + out + ".weight"), optional(pre + out + ".bias"), d);
            for (int t = 0; t < n; t++) {
                for (int i = 0; i < d; i++) {
                    x[t][i] += y[t][i];
                }
            }
        }
        if (f.hasTensor("v.post_ln.weight")) {
            x = layerNorm(x, tensor("v.post_ln.weight"), optional("v.post_ln.bias"), eps);
        }
        double[][] features = new double[n - first][];
        System.arraycopy(x, first, features, 0, n - first);
        return features;
    }

    /** LLaVA's mm.0 → GELU → mm.2. */
    double[][] projectMlp(double[][] features) throws Exception {
        int hidden = Math.toIntExact(f.tensor("mm.0.weight").shape()[1]);
        int out = Math.toIntExact(f.tensor("mm.2.weight").shape()[1]);
        double[][] h = linear(features, tensor("mm.0.weight"), optional("mm.0.bias"), hidden);
        for (double[] row : h) {
            for (int i = 0; i < hidden; i++) {
                row[i] = gelu(row[i]);
            }
        }
        return linear(h, tensor("mm.2.weight"), optional("mm.2.bias"), out);
    }
}
