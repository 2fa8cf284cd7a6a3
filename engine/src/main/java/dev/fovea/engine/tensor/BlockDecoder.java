package dev.fovea.engine.tensor;

/**
 * Scalar decoding of ggml blocks from a byte array holding consecutive blocks of one row: plain dequantization,
 * and the integer form the tiled mat-mul multiplies (quants, with K-quant sub-block scales folded in).
 *
 * <p>Block layouts (ggml's public definitions): Q8_0 = F16 d, 32 int8. Q4_0 = F16 d, 16 bytes (element j in the
 * low nibble of byte j, element j+16 in the high nibble), value d·(q−8). Q4_K = F16 d, F16 dmin, 12 bytes of
 * 6-bit scales/mins, 128 bytes of nibbles (sub-blocks of 32; pair g uses bytes 32g… low then high nibbles),
 * value d·sc·q − dmin·m. Q5_K = Q4_K plus 32 bytes of high bits before the nibbles (bit 2g / 2g+1 of byte l for
 * pair g). Q6_K = 128 bytes of low nibbles, 64 bytes of high 2-bit pairs, 16 int8 scales (sub-blocks of 16), F16 d,
 * value d·sc·(q−32).
 */
final class BlockDecoder {
    private BlockDecoder() {
    }

    static float half(byte[] b, int off) {
        return Float.float16ToFloat((short) ((b[off] & 0xFF) | (b[off + 1] << 8)));
    }

    private static int u(byte[] b, int off) {
        return b[off] & 0xFF;
    }

    /** The j-th (0..7) 6-bit scale of a Q4_K/Q5_K block whose 12 scale bytes start at {@code s}. */
    static int kScale(byte[] b, int s, int j) {
        return j < 4 ? u(b, s + j) & 63 : (u(b, s + j + 4) & 0xF) | ((u(b, s + j - 4) >> 6) << 4);
    }

    /** The j-th (0..7) 6-bit minimum of a Q4_K/Q5_K block whose 12 scale bytes start at {@code s}. */
    static int kMin(byte[] b, int s, int j) {
        return j < 4 ? u(b, s + j + 4) & 63 : (u(b, s + j + 4) >> 4) | ((u(b, s + j) >> 6) << 4);
    }

    /** Dequantizes {@code count} values (whole blocks) from {@code src[so…]} into {@code dst[o…]}. */
    static void dequantize(GgmlType type, byte[] src, int so, int count, float[] dst, int o) {
        switch (type) {
            case F32 -> {
                for (int i = 0; i < count; i++) {
                    dst[o + i] = Float.intBitsToFloat(u(src, so + 4 * i) | u(src, so + 4 * i + 1) << 8
                            | u(src, so + 4 * i + 2) << 16 | u(src, so + 4 * i + 3) << 24);
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst[o + i] = half(src, so + 2 * i);
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    dst[o + i] = Float.intBitsToFloat((u(src, so + 2 * i) | u(src, so + 2 * i + 1) << 8) << 16);
                }
            }
            case Q8_0, Q4_0 -> {
                float[] scale = new float[1];
                for (int b = 0; b < count / 32; b++) {
                    quants(type, src, so + b * type.typeSize(), 32, dst, o + 32 * b, scale, 0, null, null, 0);
                    for (int j = 0; j < 32; j++) {
                        dst[o + 32 * b + j] *= scale[0];
                    }
                }
            }
            case Q4_K, Q5_K -> {
                for (int b = 0; b < count / 256; b++) {
                    int bo = so + b * type.typeSize();
                    float d = half(src, bo);
                    float dmin = half(src, bo + 2);
                    int qs = bo + (type == GgmlType.Q4_K ? 16 : 48);
                    for (int g = 0; g < 4; g++) {
                        for (int h = 0; h < 2; h++) {
                            int j = 2 * g + h;
                            float dl = d * kScale(src, bo + 4, j);
                            float ml = dmin * kMin(src, bo + 4, j);
                            for (int l = 0; l < 32; l++) {
                                dst[o + 256 * b + 32 * j + l] = dl * k4or5(type, src, bo, qs, g, h, l) - ml;
                            }
                        }
                    }
                }
            }
            case Q6_K -> {
                for (int b = 0; b < count / 256; b++) {
                    int bo = so + b * 210;
                    float d = half(src, bo + 208);
                    for (int e = 0; e < 256; e++) {
                        dst[o + 256 * b + e] = d * src[bo + 192 + e / 16] * (q6(src, bo, e) - 32);
                    }
                }
            }
            case Q4_1, Q5_0, Q5_1, IQ4_NL, Q2_K, Q3_K, IQ4_XS -> LowBitBlocks.dequantize(type, src, so, count, dst, o);
            default -> throw new IllegalArgumentException("no kernels for " + type);
        }
    }

    /** Quant (0..15 or 0..31) of element l of sub-block 2g+h of a Q4_K/Q5_K block. */
    private static int k4or5(GgmlType type, byte[] src, int bo, int qs, int g, int h, int l) {
        int byteVal = u(src, qs + 32 * g + l);
        int q = h == 0 ? byteVal & 0xF : byteVal >> 4;
        if (type == GgmlType.Q5_K) {
            q += ((u(src, bo + 16 + l) >> (2 * g + h)) & 1) << 4;
        }
        return q;
    }

    /** Unsigned 6-bit quant (0..63) of element e (0..255) of the Q6_K block at bo. */
    private static int q6(byte[] src, int bo, int e) {
        int half = e / 128;
        int r = e % 128;
        int quarter = r / 32;
        int l = r % 32;
        int ql = u(src, bo + 64 * half + l + (quarter & 1) * 32);
        int lo = quarter < 2 ? ql & 0xF : ql >> 4;
        int hi = (u(src, bo + 128 + 32 * half + l) >> (2 * quarter)) & 3;
        return lo | hi << 4;
    }

    /**
     * Integer form of {@code count} values (whole blocks) for the exact-sum kernels: {@code w} receives the
     * quants as floats (Q8_0: q, Q4_0: q−8, Q4_K/Q5_K: sc·q, Q6_K: sc·(q−32)); per block of 32 (Q8_0/Q4_0)
     * {@code scale} receives d; per 256 (K-quants) {@code scale} receives d, {@code minScale} dmin (0 for Q6_K)
     * and {@code mins[8·block…]} the eight 6-bit minimums (Q4_K/Q5_K).
     */
    static void quants(GgmlType type, byte[] src, int so, int count, float[] w, int wo, float[] scale,
                       int scaleOff, float[] minScale, int[] mins, int minOff) {
        switch (type) {
            case Q8_0 -> {
                for (int b = 0; b < count / 32; b++) {
                    int bo = so + 34 * b;
                    scale[scaleOff + b] = half(src, bo);
                    for (int j = 0; j < 32; j++) {
                        w[wo + 32 * b + j] = src[bo + 2 + j];
                    }
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < count / 32; b++) {
                    int bo = so + 18 * b;
                    scale[scaleOff + b] = half(src, bo);
                    for (int j = 0; j < 16; j++) {
                        int q = u(src, bo + 2 + j);
                        w[wo + 32 * b + j] = (q & 0xF) - 8;
                        w[wo + 32 * b + j + 16] = (q >> 4) - 8;
                    }
                }
            }
            case Q4_K, Q5_K -> {
                for (int b = 0; b < count / 256; b++) {
                    int bo = so + b * type.typeSize();
                    scale[scaleOff + b] = half(src, bo);
                    minScale[scaleOff + b] = half(src, bo + 2);
                    int qs = bo + (type == GgmlType.Q4_K ? 16 : 48);
                    for (int g = 0; g < 4; g++) {
                        for (int h = 0; h < 2; h++) {
                            int j = 2 * g + h;
                            int sc = kScale(src, bo + 4, j);
                            mins[(minOff + b) * 8 + j] = kMin(src, bo + 4, j);
                            for (int l = 0; l < 32; l++) {
                                w[wo + 256 * b + 32 * j + l] = sc * k4or5(type, src, bo, qs, g, h, l);
                            }
                        }
                    }
                }
            }
            case Q6_K -> {
                for (int b = 0; b < count / 256; b++) {
                    int bo = so + 210 * b;
                    scale[scaleOff + b] = half(src, bo + 208);
                    minScale[scaleOff + b] = 0f;
                    for (int e = 0; e < 256; e++) {
                        w[wo + 256 * b + e] = src[bo + 192 + e / 16] * (q6(src, bo, e) - 32);
                    }
                }
            }
            default -> throw new IllegalArgumentException("no integer form for " + type);
        }
    }
}
