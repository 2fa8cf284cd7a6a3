package dev.fovea.engine.tensor;

/**
 * Scalar element decoding of the block types added for downloaded files — Q4_1, Q5_0, Q5_1, IQ4_NL (32 values a
 * block) and Q2_K, Q3_K, IQ4_XS (256) — as ggml lays them out (little endian, F16 scales):
 *
 * <ul>
 *   <li>Q4_1: F16 d, F16 m, 16 bytes of nibbles (byte j: element j low, j+16 high); value d·q + m.</li>
 *   <li>Q5_0: F16 d, 32-bit qh (bit i = fifth bit of element i), nibbles as Q4_1; value d·(q − 16).</li>
 *   <li>Q5_1: F16 d, F16 m, qh, nibbles; value d·q + m.</li>
 *   <li>IQ4_NL: F16 d, nibbles; value d·T[q] with the fixed table {@link #IQ4_TABLE}.</li>
 *   <li>Q2_K: 16 scale bytes (low nibble sc, high nibble min), 64 bytes of 2-bit quants, F16 d, F16 dmin;
 *       element 128h + 32j + l has q = bits 2j…2j+1 of qs[32h + l]; value d·sc·q − dmin·min per 16.</li>
 *   <li>Q3_K: 32 bytes hmask, 64 bytes qs, 12 bytes of 6-bit scales (offset 32), F16 d; q = low 2 bits as Q2_K,
 *       minus 4 when bit 4h + j of hmask[l] is clear; value d·(s − 32)·q per 16.</li>
 *   <li>IQ4_XS: F16 d, 16-bit scales_h, 4 bytes scales_l, 128 bytes of nibbles (sub-block b of 32: bytes 16b…,
 *       low nibbles first); 6-bit scale ls per 32; value d·(ls − 32)·T[q].</li>
 * </ul>
 */
final class LowBitBlocks {
    /** IQ4_NL / IQ4_XS's non-linear 4-bit levels. */
    static final byte[] IQ4_TABLE = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    private LowBitBlocks() {
    }

    private static int u(byte[] b, int off) {
        return b[off] & 0xFF;
    }

    private static int u32(byte[] b, int off) {
        return u(b, off) | u(b, off + 1) << 8 | u(b, off + 2) << 16 | u(b, off + 3) << 24;
    }

    /** Q3_K's 6-bit scale i (0..15), still carrying its offset of 32; the 12 scale bytes start at s. */
    static int q3Scale(byte[] b, int s, int i) {
        int low = i < 8 ? u(b, s + i) & 0xF : u(b, s + i - 8) >> 4;
        int high = (u(b, s + 8 + (i & 3)) >> (2 * (i >> 2))) & 3;
        return low | high << 4;
    }

    /** IQ4_XS's 6-bit scale of sub-block b (0..7), still carrying its offset of 32; the block starts at bo. */
    static int iq4xsScale(byte[] b, int bo, int sub) {
        int low = (u(b, bo + 4 + sub / 2) >> (4 * (sub & 1))) & 0xF;
        int high = ((u(b, bo + 2) | u(b, bo + 3) << 8) >> (2 * sub)) & 3;
        return low | high << 4;
    }

    /** Dequantizes {@code count} values (whole blocks) of {@code type} from {@code src[so…]} into {@code dst[o…]}. */
    static void dequantize(GgmlType type, byte[] src, int so, int count, float[] dst, int o) {
        int bytes = type.typeSize();
        for (int b = 0; b < count / type.blockSize(); b++) {
            int bo = so + b * bytes;
            int d0 = o + b * type.blockSize();
            switch (type) {
                case Q4_1, Q5_0, Q5_1, IQ4_NL -> small(type, src, bo, dst, d0);
                case Q2_K -> q2K(src, bo, dst, d0);
                case Q3_K -> q3K(src, bo, dst, d0);
                case IQ4_XS -> iq4xs(src, bo, dst, d0);
                default -> throw new IllegalArgumentException("not a low-bit block type: " + type);
            }
        }
    }

    private static void small(GgmlType type, byte[] src, int bo, float[] dst, int o) {
        float d = BlockDecoder.half(src, bo);
        float m = type == GgmlType.Q4_1 || type == GgmlType.Q5_1 ? BlockDecoder.half(src, bo + 2) : 0f;
        int qh = switch (type) {
            case Q5_0 -> u32(src, bo + 2);
            case Q5_1 -> u32(src, bo + 4);
            default -> 0;
        };
        int qs = bo + switch (type) {
            case Q4_1 -> 4;
            case Q5_0 -> 6;
            case Q5_1 -> 8;
            default -> 2;
        };
        for (int j = 0; j < 16; j++) {
            int lo = u(src, qs + j) & 0xF;
            int hi = u(src, qs + j) >> 4;
            switch (type) {
                case Q4_1 -> {
                    dst[o + j] = d * lo + m;
                    dst[o + j + 16] = d * hi + m;
                }
                case Q5_0 -> {
                    dst[o + j] = d * ((lo | ((qh >>> j) & 1) << 4) - 16);
                    dst[o + j + 16] = d * ((hi | ((qh >>> (j + 16)) & 1) << 4) - 16);
                }
                case Q5_1 -> {
                    dst[o + j] = d * (lo | ((qh >>> j) & 1) << 4) + m;
                    dst[o + j + 16] = d * (hi | ((qh >>> (j + 16)) & 1) << 4) + m;
                }
                default -> {
                    dst[o + j] = d * IQ4_TABLE[lo];
                    dst[o + j + 16] = d * IQ4_TABLE[hi];
                }
            }
        }
    }

    private static void q2K(byte[] src, int bo, float[] dst, int o) {
        float d = BlockDecoder.half(src, bo + 80);
        float dmin = BlockDecoder.half(src, bo + 82);
        for (int e = 0; e < 256; e++) {
            int h = e / 128;
            int j = (e % 128) / 32;
            int l = e % 32;
            int q = (u(src, bo + 16 + 32 * h + l) >> (2 * j)) & 3;
            int sc = u(src, bo + e / 16);
            dst[o + e] = d * (sc & 0xF) * q - dmin * (sc >> 4);
        }
    }

    private static void q3K(byte[] src, int bo, float[] dst, int o) {
        float d = BlockDecoder.half(src, bo + 108);
        for (int e = 0; e < 256; e++) {
            int h = e / 128;
            int j = (e % 128) / 32;
            int l = e % 32;
            int low = (u(src, bo + 32 + 32 * h + l) >> (2 * j)) & 3;
            int q = ((u(src, bo + l) >> (4 * h + j)) & 1) != 0 ? low : low - 4;
            dst[o + e] = d * (q3Scale(src, bo + 96, e / 16) - 32) * q;
        }
    }

    private static void iq4xs(byte[] src, int bo, float[] dst, int o) {
        float d = BlockDecoder.half(src, bo);
        for (int sub = 0; sub < 8; sub++) {
            float dl = d * (iq4xsScale(src, bo, sub) - 32);
            for (int j = 0; j < 16; j++) {
                int q = u(src, bo + 8 + 16 * sub + j);
                dst[o + 32 * sub + j] = dl * IQ4_TABLE[q & 0xF];
                dst[o + 32 * sub + 16 + j] = dl * IQ4_TABLE[q >> 4];
            }
        }
    }
}
