package dev.fovea.engine.tensor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Encodes float values into GGML block formats, writing the bytes exactly as they lie in a GGUF tensor.
 *
 * <p>F16, BF16, Q8_0 and Q4_0 follow ggml's reference quantizers ({@code quantize_row_*_ref}) step for step,
 * rounding included, so their output is bit-identical to llama.cpp's for the same input. Q4_K and Q6_K are simple
 * valid encoders, not llama.cpp's: ggml searches for the sub-block scales (and weighs by an importance matrix when
 * given one); here Q4_K takes each sub-block's min/max range and Q6_K its largest magnitude (ggml's search-free
 * {@code rmse_type 0} path), then both quantize the scales and re-quantize the values against them as ggml does.
 * The blocks decode with ggml's dequantizers; the error is somewhat larger than llama.cpp's.
 *
 * <p>Stateless and thread-safe.
 */
public final class Quantizer {
    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    /** ggml's GROUP_MAX_EPS: below this largest magnitude a K-quant group counts as all zero. */
    private static final float GROUP_MAX_EPS = 1e-15f;
    private static final int QK = 32;
    private static final int QK_K = 256;
    /** The types {@link #supports} names, lower case and comma-separated, for messages. */
    public static final String WRITABLE = Arrays.stream(GgmlType.values()).filter(Quantizer::supports)
            .map(t -> t.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));

    private Quantizer() {
    }

    /** Whether {@link #quantize} can produce {@code type}. */
    public static boolean supports(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K -> true;
            default -> false;
        };
    }

    /**
     * The type a user names ({@code q4_k}, {@code F16}, any case) when {@link #quantize} can write it.
     *
     * @throws IllegalArgumentException naming the writable types, for an unknown or unwritable name
     */
    public static GgmlType writableType(String name) {
        for (GgmlType t : GgmlType.values()) {
            if (t.name().equalsIgnoreCase(name.strip()) && supports(t)) {
                return t;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a type Fovea writes (" + WRITABLE + ")");
    }

    /** Encodes all of {@code values} (a whole number of blocks) into a new array. */
    public static byte[] quantize(GgmlType type, float[] values) {
        byte[] out = new byte[Math.toIntExact(type.byteSize(values.length))];
        quantize(type, values, 0, values.length, out, 0);
        return out;
    }

    /**
     * Encodes {@code count} values from {@code src[srcOffset..]} into {@code dst[dstOffset..]}.
     *
     * @return the number of bytes written, {@code type.byteSize(count)}
     * @throws IllegalArgumentException when the type is not supported or count is not a whole number of blocks
     */
    public static int quantize(GgmlType type, float[] src, int srcOffset, int count, byte[] dst, int dstOffset) {
        if (!supports(type)) {
            throw new IllegalArgumentException("cannot quantize to " + type + " (supported: " + WRITABLE + ")");
        }
        int bytes = Math.toIntExact(type.byteSize(count)); // also checks whole blocks
        java.util.Objects.checkFromIndexSize(srcOffset, count, src.length);
        java.util.Objects.checkFromIndexSize(dstOffset, bytes, dst.length);
        int blocks = count / type.blockSize();
        switch (type) {
            case F32 -> {
                for (int i = 0; i < count; i++) I32.set(dst, dstOffset + 4 * i, Float.floatToRawIntBits(src[srcOffset + i]));
            }
            case F16 -> {
                for (int i = 0; i < count; i++) I16.set(dst, dstOffset + 2 * i, Float.floatToFloat16(src[srcOffset + i]));
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) I16.set(dst, dstOffset + 2 * i, toBf16(src[srcOffset + i]));
            }
            case Q8_0 -> {
                for (int b = 0; b < blocks; b++) q8_0(src, srcOffset + b * QK, dst, dstOffset + b * 34);
            }
            case Q4_0 -> {
                for (int b = 0; b < blocks; b++) q4_0(src, srcOffset + b * QK, dst, dstOffset + b * 18);
            }
            case Q4_K -> {
                for (int b = 0; b < blocks; b++) q4_K(src, srcOffset + b * QK_K, dst, dstOffset + b * 144);
            }
            case Q6_K -> {
                for (int b = 0; b < blocks; b++) q6_K(src, srcOffset + b * QK_K, dst, dstOffset + b * 210);
            }
            default -> throw new AssertionError(type);
        }
        return bytes;
    }

    /** F32 to BF16 as ggml rounds it: to nearest even, NaN kept quiet. */
    static short toBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fff_ffff) > 0x7f80_0000) {
            return (short) ((u >>> 16) | 64);
        }
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    private static float f16Rounded(float f) {
        return Float.float16ToFloat(Float.floatToFloat16(f));
    }

    /** C's roundf: halves away from zero (Math.round would send -2.5 to -2). */
    private static int roundAwayFromZero(float v) {
        int r = Math.round(Math.abs(v));
        return v < 0 ? -r : r;
    }

    /** ggml's nearest_int: round to nearest, halves to even. */
    private static int nearestInt(float v) {
        return (int) Math.rint(v);
    }

    /** Q8_0: 32 values as an F16 scale {@code amax/127} and 32 int8. */
    private static void q8_0(float[] x, int xo, byte[] y, int yo) {
        float amax = 0;
        for (int j = 0; j < QK; j++) {
            amax = Math.max(amax, Math.abs(x[xo + j]));
        }
        float d = amax / 127;
        float id = d != 0 ? 1.0f / d : 0.0f;
        I16.set(y, yo, Float.floatToFloat16(d));
        for (int j = 0; j < QK; j++) {
            y[yo + 2 + j] = (byte) roundAwayFromZero(x[xo + j] * id);
        }
    }

    /**
     * Q4_0: the value of largest magnitude (with its sign) maps to -8, so d = max/-8; nibble j holds element j (low)
     * and j+16 (high), offset by 8.
     */
    private static void q4_0(float[] x, int xo, byte[] y, int yo) {
        float amax = 0;
        float max = 0;
        for (int j = 0; j < QK; j++) {
            float v = x[xo + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8;
        float id = d != 0 ? 1.0f / d : 0.0f;
        I16.set(y, yo, Float.floatToFloat16(d));
        for (int j = 0; j < QK / 2; j++) {
            // (int) truncates toward zero like the C cast; the +8.5 makes that a rounding
            int lo = Math.min(15, (int) (x[xo + j] * id + 8.5f));
            int hi = Math.min(15, (int) (x[xo + QK / 2 + j] * id + 8.5f));
            y[yo + 2 + j] = (byte) (lo | (hi << 4));
        }
    }

    /**
     * Q4_K: 8 sub-blocks of 32, value = d·sc·q − dmin·m with 6-bit sc, m and 4-bit q. Layout: F16 d, F16 dmin, 12
     * bytes of packed scales/mins, 128 bytes where each 64 values share 32 bytes (first 32 low nibbles, next 32 high).
     */
    private static void q4_K(float[] x, int xo, byte[] y, int yo) {
        float[] scales = new float[8];
        float[] mins = new float[8];
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 8; j++) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < 32; i++) {
                float v = x[xo + 32 * j + i];
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            min = Math.min(min, 0); // the format subtracts a non-negative m, so the offset cannot be positive
            scales[j] = max > min ? (max - min) / 15 : 0;
            mins[j] = -min;
            maxScale = Math.max(maxScale, scales[j]);
            maxMin = Math.max(maxMin, mins[j]);
        }
        float invScale = maxScale > 0 ? 63 / maxScale : 0;
        float invMin = maxMin > 0 ? 63 / maxMin : 0;
        int[] ls = new int[8];
        int[] lm = new int[8];
        for (int j = 0; j < 8; j++) {
            ls[j] = Math.min(63, nearestInt(invScale * scales[j]));
            lm[j] = Math.min(63, nearestInt(invMin * mins[j]));
        }
        I16.set(y, yo, Float.floatToFloat16(maxScale / 63));
        I16.set(y, yo + 2, Float.floatToFloat16(maxMin / 63));
        // packing of ggml's get_scale_min_k4: sub-blocks 0-3 in the low 6 bits of bytes 0-7, sub-blocks 4-7 split
        // into nibbles in bytes 8-11 with their top 2 bits in the spare high bits of bytes 0-7
        int s = yo + 4;
        for (int j = 0; j < 12; j++) y[s + j] = 0;
        for (int j = 0; j < 8; j++) {
            if (j < 4) {
                y[s + j] = (byte) ls[j];
                y[s + j + 4] = (byte) lm[j];
            } else {
                y[s + j + 4] = (byte) ((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
                y[s + j - 4] |= (byte) ((ls[j] >> 4) << 6);
                y[s + j] |= (byte) ((lm[j] >> 4) << 6);
            }
        }
        float d = f16Rounded(maxScale / 63);
        float dmin = f16Rounded(maxMin / 63);
        int q = yo + 16;
        for (int pair = 0; pair < 4; pair++) {
            int a = 2 * pair;
            int b = a + 1;
            float da = d * ls[a];
            float ma = dmin * lm[a];
            float db = d * ls[b];
            float mb = dmin * lm[b];
            for (int l = 0; l < 32; l++) {
                int lo = da != 0 ? clamp(nearestInt((x[xo + 32 * a + l] + ma) / da), 0, 15) : 0;
                int hi = db != 0 ? clamp(nearestInt((x[xo + 32 * b + l] + mb) / db), 0, 15) : 0;
                y[q + 32 * pair + l] = (byte) (lo | (hi << 4));
            }
        }
    }

    /**
     * Q6_K: 16 sub-blocks of 16, value = d·sc·(q − 32) with int8 sc and 6-bit q. Layout: 128 bytes of low nibbles,
     * 64 bytes of high 2-bit pairs, 16 int8 scales, F16 d; within each 128 values, ql byte l holds values l and
     * l+64 (low/high nibble), ql byte l+32 values l+32 and l+96, qh byte l the top bits of all four.
     */
    private static void q6_K(float[] x, int xo, byte[] y, int yo) {
        int[] levels = new int[QK_K];
        float[] scales = new float[16];
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < 16; ib++) {
            float amax = 0;
            float max = 0;
            for (int i = 0; i < 16; i++) {
                float v = x[xo + 16 * ib + i];
                if (Math.abs(v) > amax) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            if (amax < GROUP_MAX_EPS) {
                scales[ib] = 0;
                continue;
            }
            // the signed extreme maps to -32, the one level the range [-32, 31] has to spare
            float iscale = -32 / max;
            for (int i = 0; i < 16; i++) {
                levels[16 * ib + i] = 32 + clamp(nearestInt(iscale * x[xo + 16 * ib + i]), -32, 31);
            }
            scales[ib] = 1 / iscale;
            if (Math.abs(scales[ib]) > maxAbsScale) {
                maxAbsScale = Math.abs(scales[ib]);
                maxScale = scales[ib];
            }
        }
        int ql = yo;
        int qh = yo + 128;
        int sc = yo + 192;
        if (maxAbsScale < GROUP_MAX_EPS) {
            for (int i = 0; i < 210; i++) y[yo + i] = 0;
            return;
        }
        float iscale = -128 / maxScale;
        I16.set(y, yo + 208, Float.floatToFloat16(1 / iscale));
        float d = f16Rounded(1 / iscale);
        for (int ib = 0; ib < 16; ib++) {
            int s = Math.min(127, nearestInt(iscale * scales[ib]));
            y[sc + ib] = (byte) s;
            float dj = d * s;
            if (dj == 0) {
                continue; // decodes to zero whatever the levels are
            }
            for (int i = 0; i < 16; i++) {
                levels[16 * ib + i] = 32 + clamp(nearestInt(x[xo + 16 * ib + i] / dj), -32, 31);
            }
        }
        for (int half = 0; half < 2; half++) {
            int base = 128 * half;
            for (int l = 0; l < 32; l++) {
                int q1 = levels[base + l];
                int q2 = levels[base + l + 32];
                int q3 = levels[base + l + 64];
                int q4 = levels[base + l + 96];
                y[ql + 64 * half + l] = (byte) ((q1 & 0xF) | ((q3 & 0xF) << 4));
                y[ql + 64 * half + l + 32] = (byte) ((q2 & 0xF) | ((q4 & 0xF) << 4));
                y[qh + 32 * half + l] = (byte) ((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
            }
        }
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
