package dev.fovea.engine.tensor;

/**
 * Activation rows quantized the way ggml quantizes the vector side of a quantized dot product, done once per
 * mat-vec / mat-mul call.
 *
 * <ul>
 *   <li>{@link Kind#Q8_0} (for Q8_0, Q4_0, Q5_0 and IQ4_NL weights): per 32 values, {@code d = amax/127} rounded to F16 is the
 *       scale, {@code q = rint(x·127/amax)} (half to even).</li>
 *   <li>{@link Kind#Q8_1} (for Q4_1 and Q5_1 weights): as Q8_0, plus per block {@code s = d·Σq} rounded to F16,
 *       which carries the weights' block offset {@code m}.</li>
 *   <li>{@link Kind#Q8_K} (for the K-quants and IQ4_XS): per 256 values, {@code iscale = −127/max} where {@code max} is the
 *       signed value of largest magnitude, {@code q = min(127, rint(iscale·x))}, scale {@code 1/iscale}; plus
 *       the sums of q over every 32 values (the K-quants' minimum terms need them).</li>
 * </ul>
 * The quantized values are kept as (integer-valued) floats: products of such values summed over a block are
 * exact in float arithmetic, so vector FMA kernels give exactly the integer block sums.
 */
final class QuantizedActivations {
    enum Kind {
        Q8_0(32), Q8_1(32), Q8_K(256);

        final int block;

        Kind(int block) {
            this.block = block;
        }
    }

    final Kind kind;
    final int n;
    final int cols;
    /** [n][cols] quantized values. */
    final float[] q;
    /** [n][cols / block] scales. */
    final float[] scale;
    /** [n][cols / 32] sums of q (Q8_K only, else null). */
    final int[] bsum;
    /** [n][cols / 16] sums of q (Q8_K only, else null): Q2_K's minimums come in sub-blocks of 16. */
    final int[] bsum16;
    /** [n][cols / 32] d·Σq rounded to F16 (Q8_1 only, else null): carries a Q4_1/Q5_1 block's offset m. */
    final float[] scaledSum;

    private QuantizedActivations(Kind kind, int n, int cols) {
        this.kind = kind;
        this.n = n;
        this.cols = cols;
        this.q = new float[Math.multiplyExact(n, cols)];
        this.scale = new float[n * (cols / kind.block)];
        this.bsum = kind == Kind.Q8_K ? new int[n * (cols / 32)] : null;
        this.bsum16 = kind == Kind.Q8_K ? new int[n * (cols / 16)] : null;
        this.scaledSum = kind == Kind.Q8_1 ? new float[n * (cols / 32)] : null;
    }

    /** Quantizes rows x[xOff + t·cols …] for t in [0, n). */
    static QuantizedActivations of(Kind kind, float[] x, int xOff, int n, int cols) {
        return of(kind, x, xOff, n, cols, null);
    }

    /** As {@link #of(Kind, float[], int, int, int)}, the tokens split over {@code pool} when there are several. */
    static QuantizedActivations of(Kind kind, float[] x, int xOff, int n, int cols, Parallel pool) {
        QuantizedActivations a = new QuantizedActivations(kind, n, cols);
        if (pool != null && n > 1) {
            pool.forRange(n, (from, to) -> a.quantize(x, xOff, from, to));
        } else {
            a.quantize(x, xOff, 0, n);
        }
        if (a.bsum != null) {
            // one pass over the quants: sums of 16, and the sums of 32 as pairs of them
            for (int i = 0; i < a.bsum16.length; i++) {
                int sum = 0;
                for (int j = 16 * i; j < 16 * i + 16; j++) {
                    sum += (int) a.q[j];
                }
                a.bsum16[i] = sum;
            }
            for (int i = 0; i < a.bsum.length; i++) {
                a.bsum[i] = a.bsum16[2 * i] + a.bsum16[2 * i + 1];
            }
        }
        return a;
    }

    /** Quantizes tokens [from, to): each token's blocks in order, whichever thread does it. */
    private void quantize(float[] x, int xOff, int from, int to) {
        for (int t = from; t < to; t++) {
            int src = xOff + t * cols;
            int dst = t * cols;
            if (kind == Kind.Q8_0) {
                for (int b = 0; b < cols / 32; b++) {
                    scale[t * (cols / 32) + b] = q8_0(x, src + 32 * b, q, dst + 32 * b);
                }
            } else if (kind == Kind.Q8_1) {
                for (int b = 0; b < cols / 32; b++) {
                    scale[t * (cols / 32) + b] = q8_1(x, src + 32 * b, q, dst + 32 * b, scaledSum, t * (cols / 32) + b);
                }
            } else {
                for (int b = 0; b < cols / 256; b++) {
                    scale[t * (cols / 256) + b] = q8_K(x, src + 256 * b, q, dst + 256 * b);
                }
            }
        }
    }

    /** The sums of q[32i … 32i+31] (quantized values, so exact integers) for i in [0, length / 32). */
    static int[] sumsOf32(float[] q, int length) {
        int[] sums = new int[length / 32];
        for (int i = 0; i < sums.length; i++) {
            int sum = 0;
            for (int j = 32 * i; j < 32 * i + 32; j++) {
                sum += (int) q[j];
            }
            sums[i] = sum;
        }
        return sums;
    }

    private static float q8_0(float[] x, int xo, float[] q, int qo) {
        float amax = 0;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[xo + j]));
        }
        float d = amax / 127f;
        float id = amax != 0 ? 127f / amax : 0f;
        for (int j = 0; j < 32; j++) {
            q[qo + j] = (float) Math.rint(x[xo + j] * id);
        }
        return Float.float16ToFloat(Float.floatToFloat16(d));
    }

    /** As Q8_0, plus s = d·Σq with the unrounded d, rounded to F16 (ggml's x86 quantize_row_q8_1). */
    private static float q8_1(float[] x, int xo, float[] q, int qo, float[] s, int so) {
        float amax = 0;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[xo + j]));
        }
        float d = amax / 127f;
        float id = amax != 0 ? 127f / amax : 0f;
        int sum = 0;
        for (int j = 0; j < 32; j++) {
            q[qo + j] = (float) Math.rint(x[xo + j] * id);
            sum += (int) q[qo + j];
        }
        s[so] = Float.float16ToFloat(Float.floatToFloat16(d * sum));
        return Float.float16ToFloat(Float.floatToFloat16(d));
    }

    private static float q8_K(float[] x, int xo, float[] q, int qo) {
        float amax = 0;
        float max = 0;
        for (int j = 0; j < 256; j++) {
            float ax = Math.abs(x[xo + j]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + j];
            }
        }
        if (amax == 0) {
            java.util.Arrays.fill(q, qo, qo + 256, 0f);
            return 0f;
        }
        float iscale = -127f / max;
        for (int j = 0; j < 256; j++) {
            q[qo + j] = Math.min(127, (int) Math.rint(iscale * x[xo + j]));
        }
        return 1f / iscale;
    }

    /**
     * Token-major groups of 16 for the tiled mat-mul: [groups][cols][16] with token g·16+lane in the lane,
     * zero for padding tokens ({@code groups·16 ≥ n}).
     */
    float[] valuesByGroup(int groups) {
        float[] out = new float[groups * cols * 16];
        for (int t = 0; t < n; t++) {
            int base = (t >> 4) * cols * 16 + (t & 15);
            for (int k = 0; k < cols; k++) {
                out[base + k * 16] = q[t * cols + k];
            }
        }
        return out;
    }

    /** Scales as [groups][cols / block][16]. */
    float[] scalesByGroup(int groups) {
        int blocks = cols / kind.block;
        float[] out = new float[groups * blocks * 16];
        for (int t = 0; t < n; t++) {
            int base = (t >> 4) * blocks * 16 + (t & 15);
            for (int b = 0; b < blocks; b++) {
                out[base + b * 16] = scale[t * blocks + b];
            }
        }
        return out;
    }

    /**
     * Sums of 32 as [groups][cols / 32][16] (Q8_K only), as floats: at most 32 · 127 in magnitude, exact, and so are
     * the tiled kernel's sums of eight of them times 6-bit minimums (below 2^24).
     */
    float[] sumsByGroup(int groups) {
        int subs = cols / 32;
        float[] out = new float[groups * subs * 16];
        for (int t = 0; t < n; t++) {
            int base = (t >> 4) * subs * 16 + (t & 15);
            for (int s = 0; s < subs; s++) {
                out[base + s * 16] = bsum[t * subs + s];
            }
        }
        return out;
    }
}
