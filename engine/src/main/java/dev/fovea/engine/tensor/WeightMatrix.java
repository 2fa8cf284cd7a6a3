package dev.fovea.engine.tensor;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufTensorInfo;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

// SCRATCH (uncommitted): replaced by the tensor branch
public final class WeightMatrix {
    private static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final MemorySegment data; private final GgmlType type; private final int rows, cols; private final long rowBytes;
    private WeightMatrix(MemorySegment d, GgmlType t, int r, int c) { data = d; type = t; rows = r; cols = c; rowBytes = t.byteSize(c); }
    public static WeightMatrix of(GgufFile f, GgufTensorInfo t) { return of(f.data(t), t.type(), Math.toIntExact(t.rowCount()), Math.toIntExact(t.rowLength())); }
    public static WeightMatrix of(MemorySegment d, GgmlType t, int r, int c) { return new WeightMatrix(d, t, r, c); }
    public static WeightMatrix ofFloats(float[] v, int r, int c) { return new WeightMatrix(MemorySegment.ofArray(v), GgmlType.F32, r, c); }
    public int rows() { return rows; } public int cols() { return cols; } public GgmlType type() { return type; }
    private float h(long off) { return Float.float16ToFloat(data.get(S16, off)); }
    public void dequantizeRow(int row, float[] dst, int o) {
        long base = row * rowBytes;
        switch (type) {
            case F32 -> { for (int i = 0; i < cols; i++) dst[o + i] = data.get(F32, base + 4L * i); }
            case F16 -> { for (int i = 0; i < cols; i++) dst[o + i] = h(base + 2L * i); }
            case Q8_0 -> { for (int b = 0; b < cols / 32; b++) { long bo = base + 34L * b; float d = h(bo); for (int j = 0; j < 32; j++) dst[o + b * 32 + j] = d * data.get(ValueLayout.JAVA_BYTE, bo + 2 + j); } }
            case Q4_0 -> { for (int b = 0; b < cols / 32; b++) { long bo = base + 18L * b; float d = h(bo); for (int j = 0; j < 16; j++) { int q = data.get(ValueLayout.JAVA_BYTE, bo + 2 + j) & 0xFF; dst[o + b * 32 + j] = d * ((q & 15) - 8); dst[o + b * 32 + j + 16] = d * ((q >> 4) - 8); } } }
            case Q4_K -> { for (int b = 0; b < cols / 256; b++) { long bo = base + 144L * b; float d = h(bo), dmin = h(bo + 2); int[] sc = new int[8], mn = new int[8];
                for (int j = 0; j < 8; j++) { int s, m; if (j < 4) { s = u(bo + 4 + j) & 63; m = u(bo + 4 + j + 4) & 63; } else { s = (u(bo + 4 + j + 4) & 0xF) | ((u(bo + 4 + j - 4) >> 6) << 4); m = (u(bo + 4 + j + 4) >> 4) | ((u(bo + 4 + j) >> 6) << 4); } sc[j] = s; mn[j] = m; }
                int out = o + b * 256; long q = bo + 16;
                for (int g = 0; g < 4; g++) { float d1 = d * sc[2 * g], m1 = dmin * mn[2 * g], d2 = d * sc[2 * g + 1], m2 = dmin * mn[2 * g + 1];
                    for (int l = 0; l < 32; l++) dst[out + l] = d1 * (u(q + l) & 0xF) - m1; for (int l = 0; l < 32; l++) dst[out + 32 + l] = d2 * (u(q + l) >> 4) - m2; out += 64; q += 32; } } }
            case Q6_K -> { for (int b = 0; b < cols / 256; b++) { long bo = base + 210L * b; long ql = bo, qh = bo + 128, sc = bo + 192; float d = h(bo + 208); int out = o + b * 256;
                for (int n = 0; n < 2; n++) { for (int l = 0; l < 32; l++) { int is = l / 16;
                    int q1 = ((u(ql + l) & 0xF) | (((u(qh + l) >> 0) & 3) << 4)) - 32; int q2 = ((u(ql + l + 32) & 0xF) | (((u(qh + l) >> 2) & 3) << 4)) - 32;
                    int q3 = ((u(ql + l) >> 4) | (((u(qh + l) >> 4) & 3) << 4)) - 32; int q4 = ((u(ql + l + 32) >> 4) | (((u(qh + l) >> 6) & 3) << 4)) - 32;
                    dst[out + l] = d * s8(sc + is) * q1; dst[out + l + 32] = d * s8(sc + is + 2) * q2; dst[out + l + 64] = d * s8(sc + is + 4) * q3; dst[out + l + 96] = d * s8(sc + is + 6) * q4; }
                    out += 128; ql += 64; qh += 32; sc += 8; } } }
            default -> throw new IllegalArgumentException("unsupported " + type);
        }
    }
    private int u(long off) { return data.get(ValueLayout.JAVA_BYTE, off) & 0xFF; }
    private int s8(long off) { return data.get(ValueLayout.JAVA_BYTE, off); }
    public float[] dequantize() { float[] a = new float[rows * cols]; for (int r = 0; r < rows; r++) dequantizeRow(r, a, r * cols); return a; }
    static float f16r(float v) { return Float.float16ToFloat(Float.floatToFloat16(v)); }
    public float dot(int row, float[] x, int xo) {
        if (type == GgmlType.Q8_0 || type == GgmlType.Q4_0) {
            float[] w = new float[cols]; long base = row * rowBytes; float sum = 0;
            for (int b = 0; b < cols / 32; b++) {
                float amax = 0; for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[xo + b*32 + j]));
                float d = amax / 127f; float id = amax != 0 ? 127f / amax : 0; float dx = f16r(d);
                int sumi = 0;
                for (int j = 0; j < 32; j++) {
                    int qx = (int) Math.rint(x[xo + b*32 + j] * id);
                    int qw;
                    if (type == GgmlType.Q8_0) qw = data.get(ValueLayout.JAVA_BYTE, base + 34L*b + 2 + j);
                    else { int q = u(base + 18L*b + 2 + (j & 15)); qw = (j < 16 ? (q & 15) : (q >> 4)) - 8; }
                    sumi += qx * qw;
                }
                float dw = h(base + (type == GgmlType.Q8_0 ? 34L : 18L) * b);
                sum += sumi * (dw * dx);
            }
            return sum;
        }
        if (type == GgmlType.Q4_K || type == GgmlType.Q6_K) {
            long base = row * rowBytes; float sum = 0; int[] q8 = new int[256];
            for (int b = 0; b < cols / 256; b++) {
                float amax = 0, max = 0; for (int j = 0; j < 256; j++) { float ax = Math.abs(x[xo + b*256 + j]); if (ax > amax) { amax = ax; max = x[xo + b*256 + j]; } }
                float yd; if (amax == 0) { yd = 0; java.util.Arrays.fill(q8, 0); } else { float iscale = -127f / max; for (int j = 0; j < 256; j++) q8[j] = Math.min(127, (int) Math.rint(iscale * x[xo + b*256 + j])); yd = 1f / iscale; }
                if (type == GgmlType.Q4_K) {
                    long bo = base + 144L * b; float d = h(bo), dmin = h(bo + 2); int[] sc = new int[8], mn = new int[8];
                    for (int j = 0; j < 8; j++) { int s, m; if (j < 4) { s = u(bo + 4 + j) & 63; m = u(bo + 4 + j + 4) & 63; } else { s = (u(bo + 4 + j + 4) & 0xF) | ((u(bo + 4 + j - 4) >> 6) << 4); m = (u(bo + 4 + j + 4) >> 4) | ((u(bo + 4 + j) >> 6) << 4); } sc[j] = s; mn[j] = m; }
                    int sumi = 0, summ = 0; long q = bo + 16;
                    for (int g = 0; g < 4; g++) { int s1 = 0, s2 = 0, b1 = 0, b2 = 0;
                        for (int l = 0; l < 32; l++) { s1 += (u(q + l) & 0xF) * q8[g*64 + l]; b1 += q8[g*64 + l]; s2 += (u(q + l) >> 4) * q8[g*64 + 32 + l]; b2 += q8[g*64 + 32 + l]; }
                        sumi += sc[2*g] * s1 + sc[2*g+1] * s2; summ += mn[2*g] * b1 + mn[2*g+1] * b2; q += 32; }
                    sum += (yd * d) * sumi - (yd * dmin) * summ;
                } else {
                    long bo = base + 210L * b; long ql = bo, qh = bo + 128, sc = bo + 192; float d = h(bo + 208); int sumi = 0; int o = 0;
                    for (int n = 0; n < 2; n++) { int[] part = new int[8];
                        for (int l = 0; l < 32; l++) { int is = l / 16;
                            int q1 = ((u(ql + l) & 0xF) | (((u(qh + l) >> 0) & 3) << 4)) - 32; int q2 = ((u(ql + l + 32) & 0xF) | (((u(qh + l) >> 2) & 3) << 4)) - 32;
                            int q3 = ((u(ql + l) >> 4) | (((u(qh + l) >> 4) & 3) << 4)) - 32; int q4 = ((u(ql + l + 32) >> 4) | (((u(qh + l) >> 6) & 3) << 4)) - 32;
                            part[is] += q1 * q8[o + l]; part[is + 2] += q2 * q8[o + l + 32]; part[is + 4] += q3 * q8[o + l + 64]; part[is + 6] += q4 * q8[o + l + 96]; }
                        for (int k = 0; k < 8; k++) sumi += s8(sc + k) * part[k];
                        o += 128; ql += 64; qh += 32; sc += 8; }
                    sum += (yd * d) * sumi;
                }
            }
            return sum;
        }
        float[] w = new float[cols]; dequantizeRow(row, w, 0); float s = 0; for (int i = 0; i < cols; i++) s += w[i] * x[xo + i]; return s; }
    public void matVec(float[] x, float[] out, Parallel p) { p.forRange(rows, (a, b) -> { for (int r = a; r < b; r++) out[r] = dot(r, x, 0); }); }
    public void matMul(float[] x, int n, float[] out, Parallel p) { p.forRange(rows, (a, b) -> { float[] w = new float[cols]; for (int r = a; r < b; r++) { dequantizeRow(r, w, 0); for (int t = 0; t < n; t++) { out[t * rows + r] = dot(r, x, t * cols); } } }); }
}
