package dev.fovea.engine.llm;

/**
 * Rotary position embedding as ggml applies it: the angle for pair i at position p is p·base^(−2i/dims), built by
 * repeated float multiplication like ggml's cache so that rounding matches; "normal" mode rotates adjacent pairs
 * (2i, 2i+1), NeoX mode rotates (i, i + dims/2).
 */
final class Rope {
    private final int dims;
    private final boolean neox;
    private final float thetaScale;
    /** Per pair, the divisor of its angle ({@code rope_freqs.weight}: Llama 3.1's frequency factors), or null. */
    private final float[] freqFactors;

    Rope(int dims, float base, boolean neox, float[] freqFactors) {
        if (freqFactors != null && freqFactors.length != dims / 2) {
            throw new IllegalArgumentException(freqFactors.length + " rotary frequency factors for " + dims / 2
                    + " pairs");
        }
        this.dims = dims;
        this.neox = neox;
        this.thetaScale = (float) Math.pow(base, -2.0f / dims);
        this.freqFactors = freqFactors;
    }

    /** Rotates {@code heads} heads of width {@code headDim} stored at x[off…] for position {@code pos}. */
    void apply(float[] x, int off, int heads, int headDim, int pos, float[] cos, float[] sin) {
        angles(pos, cos, sin);
        rotate(x, off, heads, headDim, cos, sin);
    }

    /**
     * Multi-section rotary (M-RoPE, ggml's {@code rope_multi}): pair i turns by the position of stream
     * {@code sector(i)} — temporal, height, width or extra by {@code sections} — each stream's angle built by the
     * same repeated multiplication, so a row whose streams are equal turns exactly as {@link #apply} does.
     */
    void applySections(float[] x, int off, int heads, int headDim, int[] pos, int posOff, int[] sections,
                       float[] cos, float[] sin) {
        int half = dims / 2;
        int period = sections[0] + sections[1] + sections[2] + sections[3];
        float t = pos[posOff];
        float h = pos[posOff + 1];
        float w = pos[posOff + 2];
        float e = pos[posOff + 3];
        for (int i = 0; i < half; i++) {
            int sector = i % period;
            float theta = sector < sections[0] ? t : sector < sections[0] + sections[1] ? h
                    : sector < sections[0] + sections[1] + sections[2] ? w : e;
            cos[i] = (float) Math.cos(theta);
            sin[i] = (float) Math.sin(theta);
            t *= thetaScale;
            h *= thetaScale;
            w *= thetaScale;
            e *= thetaScale;
        }
        rotate(x, off, heads, headDim, cos, sin);
    }

    private void rotate(float[] x, int off, int heads, int headDim, float[] cos, float[] sin) {
        int half = dims / 2;
        for (int h = 0; h < heads; h++) {
            int base = off + h * headDim;
            for (int i = 0; i < half; i++) {
                int i0 = neox ? base + i : base + 2 * i;
                int i1 = neox ? base + i + half : base + 2 * i + 1;
                float x0 = x[i0];
                float x1 = x[i1];
                x[i0] = x0 * cos[i] - x1 * sin[i];
                x[i1] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }

    private void angles(int pos, float[] cos, float[] sin) {
        float theta = pos;
        for (int i = 0; i < dims / 2; i++) {
            // ggml divides each pair's angle by its factor, leaving the running product untouched
            float t = freqFactors == null ? theta : theta / freqFactors[i];
            cos[i] = (float) Math.cos(t);
            sin[i] = (float) Math.sin(t);
            theta *= thetaScale;
        }
    }

    int dims() {
        return dims;
    }
}
