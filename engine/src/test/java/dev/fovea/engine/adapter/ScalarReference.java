package dev.fovea.engine.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufTensorInfo;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Plain-loop double-precision versions of the adapters' math, written from the model definitions and sharing
 * nothing with the production code, plus raw tensor reads from GGUF (F32 and F16 only).
 */
final class ScalarReference {
    private ScalarReference() {
    }

    /** A tensor as [rows][cols] doubles, decoded from its raw little-endian bytes. */
    static double[][] tensor(GgufFile f, String name) throws Exception {
        GgufTensorInfo t = f.tensor(name);
        int cols = (int) t.shape()[0];
        int rows = (int) (t.elementCount() / cols);
        MemorySegment s = f.data(t);
        double[][] m = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                long i = (long) r * cols + c;
                m[r][c] = switch (t.type()) {
                    case F32 -> s.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4 * i);
                    case F16 -> Float.float16ToFloat(s.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2 * i));
                    default -> throw new IllegalArgumentException("reference reads F32/F16 only, not " + t.type());
                };
            }
        }
        return m;
    }

    static double[] vector(GgufFile f, String name) throws Exception {
        return tensor(f, name)[0];
    }

    /** y[t] = W x[t] + b (b may be null); W is [out][in]. */
    static double[][] linear(double[][] x, double[][] w, double[] b) {
        double[][] y = new double[x.length][w.length];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < w.length; o++) {
                double s = b == null ? 0 : b[o];
                for (int i = 0; i < w[o].length; i++) {
                    s += w[o][i] * x[t][i];
                }
                y[t][o] = s;
            }
        }
        return y;
    }

    static double[][] layerNorm(double[][] x, double[] g, double[] b, double eps) {
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
                y[t][i] = (x[t][i] - mean) / Math.sqrt(var + eps) * g[i] + (b == null ? 0 : b[i]);
            }
        }
        return y;
    }

    static double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][a[0].length];
        for (int t = 0; t < a.length; t++) {
            for (int i = 0; i < a[t].length; i++) {
                y[t][i] = a[t][i] + b[t][i];
            }
        }
        return y;
    }

    /**
     * MAE / Qwen-VL 2-D sin-cos table on an h × w grid: [emb(col), emb(row)], emb(p) = [sin(p ω), cos(p ω)],
     * ω_i = 1 / 10000^(i / (dim/4)).
     */
    static double[][] sinCos2d(int dim, int h, int w) {
        int quarter = dim / 4;
        double[][] table = new double[h * w][dim];
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                double[] e = table[r * w + c];
                for (int i = 0; i < quarter; i++) {
                    double omega = Math.pow(10000, -(double) i / quarter);
                    e[i] = Math.sin(c * omega);
                    e[quarter + i] = Math.cos(c * omega);
                    e[2 * quarter + i] = Math.sin(r * omega);
                    e[3 * quarter + i] = Math.cos(r * omega);
                }
            }
        }
        return table;
    }

    /** torch bicubic (align_corners=False, A=-0.75, border clamp) as a direct 4×4 tap sum per output cell. */
    static double[][] bicubic(double[][] table, int h, int w, int oh, int ow) {
        double[][] out = new double[oh * ow][table[0].length];
        for (int y = 0; y < oh; y++) {
            double sy = (y + 0.5) * h / oh - 0.5;
            int by = (int) Math.floor(sy);
            for (int x = 0; x < ow; x++) {
                double sx = (x + 0.5) * w / ow - 0.5;
                int bx = (int) Math.floor(sx);
                for (int m = -1; m <= 2; m++) {
                    double wy = cubic(sy - (by + m));
                    int ry = Math.min(Math.max(by + m, 0), h - 1);
                    for (int n = -1; n <= 2; n++) {
                        double wx = cubic(sx - (bx + n));
                        int rx = Math.min(Math.max(bx + n, 0), w - 1);
                        for (int ch = 0; ch < table[0].length; ch++) {
                            out[y * ow + x][ch] += wy * wx * table[ry * w + rx][ch];
                        }
                    }
                }
            }
        }
        return out;
    }

    private static double cubic(double d) {
        double a = -0.75, x = Math.abs(d);
        if (x <= 1) {
            return (a + 2) * x * x * x - (a + 3) * x * x + 1;
        }
        if (x < 2) {
            return a * x * x * x - 5 * a * x * x + 8 * a * x - 4 * a;
        }
        return 0;
    }

    /** nn.MultiheadAttention: projections with bias, per-head scaled dot-product softmax, out projection. */
    static double[][] multiHeadAttention(double[][] qIn, double[][] kIn, double[][] vIn, int heads,
                                         double[][] wq, double[] bq, double[][] wk, double[] bk,
                                         double[][] wv, double[] bv, double[][] wo, double[] bo) {
        double[][] q = linear(qIn, wq, bq), k = linear(kIn, wk, bk), v = linear(vIn, wv, bv);
        int e = wq.length, hd = e / heads;
        double[][] ctx = new double[q.length][e];
        for (int i = 0; i < q.length; i++) {
            for (int h = 0; h < heads; h++) {
                double[] s = new double[k.length];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k.length; j++) {
                    for (int c = 0; c < hd; c++) {
                        s[j] += q[i][h * hd + c] * k[j][h * hd + c];
                    }
                    s[j] /= Math.sqrt(hd);
                    max = Math.max(max, s[j]);
                }
                double z = 0;
                for (int j = 0; j < k.length; j++) {
                    s[j] = Math.exp(s[j] - max);
                    z += s[j];
                }
                for (int j = 0; j < k.length; j++) {
                    for (int c = 0; c < hd; c++) {
                        ctx[i][h * hd + c] += s[j] / z * v[j][h * hd + c];
                    }
                }
            }
        }
        return linear(ctx, wo, bo);
    }

    static double[][] rows(float[] data, int n, int d) {
        double[][] m = new double[n][d];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < d; i++) {
                m[t][i] = data[t * d + i];
            }
        }
        return m;
    }

    static float[] randomFeatures(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    /** Every element within {@code rel} of the reference, relative to the reference's largest magnitude. */
    static void assertClose(float[] actual, double[][] expected, double rel) {
        int d = expected[0].length;
        assertThat(actual).hasSize(expected.length * d);
        double max = 0;
        for (double[] row : expected) {
            for (double v : row) {
                max = Math.max(max, Math.abs(v));
            }
        }
        assertThat(max).isGreaterThan(0);
        for (int t = 0; t < expected.length; t++) {
            for (int i = 0; i < d; i++) {
                double diff = Math.abs(actual[t * d + i] - expected[t][i]);
                if (diff > rel * max) {
                    throw new AssertionError("token " + t + " channel " + i + ": " + actual[t * d + i] + " vs "
                            + expected[t][i] + " (|Δ| " + diff + " > " + rel * max + ")");
                }
            }
        }
    }
}
