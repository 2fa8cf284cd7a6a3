package dev.fovea.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * F32 / F16 / BF16 weights times F32 activations.
 *
 * <p>Every output is one 16-lane accumulator fed by FMAs over k in steps of 16, in order, then summed across
 * lanes by a fixed tree ({@link #sumLanes}) and finished with the k tail in scalar order. The mat-vec path
 * and the register-blocked mat-mul path (4 rows × 4 tokens of accumulators over a panel of rows converted to
 * float once) perform exactly that sequence per output, so they agree bit for bit.
 */
final class FloatKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final int LANES = 16;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VectorShuffle<Float> SWAP8 = VectorShuffle.fromOp(F, i -> i ^ 8);
    private static final VectorShuffle<Float> SWAP4 = VectorShuffle.fromOp(F, i -> i ^ 4);
    private static final VectorShuffle<Float> SWAP2 = VectorShuffle.fromOp(F, i -> i ^ 2);
    private static final VectorShuffle<Float> SWAP1 = VectorShuffle.fromOp(F, i -> i ^ 1);
    /** Bytes of converted weights per panel: keeps a panel in L2 while every token block passes over it. */
    private static final int PANEL_FLOATS = 1 << 18;

    private FloatKernels() {
    }

    /** Lane sum in a fixed order (not {@code reduceLanes}, whose float order is unspecified). */
    static float sumLanes(FloatVector v) {
        v = v.add(v.rearrange(SWAP8));
        v = v.add(v.rearrange(SWAP4));
        v = v.add(v.rearrange(SWAP2));
        v = v.add(v.rearrange(SWAP1));
        return v.lane(0);
    }

    /** Converts {@code count} values of one row starting at byte {@code off} into dst[o…]. */
    static void toFloat(GgmlType type, MemorySegment seg, long off, int count, float[] dst, int o, short[] tmp) {
        switch (type) {
            case F32 -> MemorySegment.copy(seg, F32, off, dst, o, count);
            case F16 -> {
                MemorySegment.copy(seg, S16, off, tmp, 0, count);
                for (int i = 0; i < count; i++) {
                    dst[o + i] = Float.float16ToFloat(tmp[i]);
                }
            }
            case BF16 -> {
                MemorySegment.copy(seg, S16, off, tmp, 0, count);
                for (int i = 0; i < count; i++) {
                    dst[o + i] = Float.intBitsToFloat(tmp[i] << 16);
                }
            }
            default -> throw new IllegalArgumentException("not a float type: " + type);
        }
    }

    /** w[wo…]·x[xo…] over {@code cols} values. */
    static float dot(float[] w, int wo, float[] x, int xo, int cols) {
        FloatVector acc = FloatVector.zero(F);
        int k = 0;
        for (; k + LANES <= cols; k += LANES) {
            acc = FloatVector.fromArray(F, w, wo + k).fma(FloatVector.fromArray(F, x, xo + k), acc);
        }
        return tail(sumLanes(acc), w, wo, x, xo, k, cols);
    }

    private static float tail(float s, float[] w, int wo, float[] x, int xo, int k, int cols) {
        for (; k < cols; k++) {
            s += w[wo + k] * x[xo + k];
        }
        return s;
    }

    /** out[r] = row r · x for rows [from, to). */
    static void matVec(GgmlType type, MemorySegment seg, int cols, float[] x, float[] out, int from, int to) {
        long rowBytes = type.byteSize(cols);
        if (type == GgmlType.F32) {
            float[] row = null;
            for (int r = from; r < to; r++) {
                long off = r * rowBytes;
                FloatVector acc = FloatVector.zero(F);
                int k = 0;
                for (; k + LANES <= cols; k += LANES) {
                    acc = FloatVector.fromMemorySegment(F, seg, off + 4L * k, ByteOrder.LITTLE_ENDIAN)
                            .fma(FloatVector.fromArray(F, x, k), acc);
                }
                float s = sumLanes(acc);
                if (k < cols) {
                    if (row == null) {
                        row = new float[cols];
                    }
                    MemorySegment.copy(seg, F32, off, row, 0, cols);
                    s = tail(s, row, 0, x, 0, k, cols);
                }
                out[r] = s;
            }
            return;
        }
        float[] row = new float[cols];
        short[] tmp = new short[cols];
        for (int r = from; r < to; r++) {
            toFloat(type, seg, r * rowBytes, cols, row, 0, tmp);
            out[r] = dot(row, 0, x, 0, cols);
        }
    }

    /** out[t][r] = row r · x[t] for all rows, in panels spread over the pool. */
    static void matMul(GgmlType type, MemorySegment seg, int rows, int cols, float[] x, int n, float[] out,
                       Parallel pool) {
        int perThread = (rows + pool.threads() - 1) / pool.threads();
        int panelRows = Math.max(4, Math.min(PANEL_FLOATS / cols / 4 * 4, (perThread + 3) / 4 * 4));
        int panels = (rows + panelRows - 1) / panelRows;
        long rowBytes = type.byteSize(cols);
        pool.forRange(panels, (from, to) -> {
            float[] w = new float[panelRows * cols];
            short[] tmp = new short[cols];
            for (int p = from; p < to; p++) {
                int row0 = p * panelRows;
                int count = Math.min(panelRows, rows - row0);
                for (int r = 0; r < count; r++) {
                    toFloat(type, seg, (row0 + r) * rowBytes, cols, w, r * cols, tmp);
                }
                Arrays.fill(w, count * cols, w.length, 0f);
                panel(w, count, row0, rows, cols, x, n, out);
            }
        });
    }

    private static void panel(float[] w, int count, int row0, int rows, int cols, float[] x, int n, float[] out) {
        int t = 0;
        for (; t + 4 <= n; t += 4) {
            for (int r = 0; r < count; r += 4) {
                tile4x4(w, r, count, row0, rows, cols, x, t, out);
            }
        }
        for (; t < n; t++) {
            for (int r = 0; r < count; r++) {
                out[t * rows + row0 + r] = dot(w, r * cols, x, t * cols, cols);
            }
        }
    }

    /** Rows r…r+3 of the panel (those below {@code count} are stored) × tokens t…t+3. */
    private static void tile4x4(float[] w, int r, int count, int row0, int rows, int cols, float[] x, int t,
                                float[] out) {
        int w0 = r * cols;
        int w1 = w0 + cols;
        int w2 = w1 + cols;
        int w3 = w2 + cols;
        int x0 = t * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int k = 0;
        for (; k + LANES <= cols; k += LANES) {
            FloatVector v0 = FloatVector.fromArray(F, w, w0 + k);
            FloatVector v1 = FloatVector.fromArray(F, w, w1 + k);
            FloatVector v2 = FloatVector.fromArray(F, w, w2 + k);
            FloatVector v3 = FloatVector.fromArray(F, w, w3 + k);
            FloatVector u = FloatVector.fromArray(F, x, x0 + k);
            a00 = v0.fma(u, a00);
            a10 = v1.fma(u, a10);
            a20 = v2.fma(u, a20);
            a30 = v3.fma(u, a30);
            u = FloatVector.fromArray(F, x, x1 + k);
            a01 = v0.fma(u, a01);
            a11 = v1.fma(u, a11);
            a21 = v2.fma(u, a21);
            a31 = v3.fma(u, a31);
            u = FloatVector.fromArray(F, x, x2 + k);
            a02 = v0.fma(u, a02);
            a12 = v1.fma(u, a12);
            a22 = v2.fma(u, a22);
            a32 = v3.fma(u, a32);
            u = FloatVector.fromArray(F, x, x3 + k);
            a03 = v0.fma(u, a03);
            a13 = v1.fma(u, a13);
            a23 = v2.fma(u, a23);
            a33 = v3.fma(u, a33);
        }
        emit(a00, 0, 0, w, w0, x, x0, k, cols, r, count, row0, rows, t, out);
        emit(a01, 0, 1, w, w0, x, x0, k, cols, r, count, row0, rows, t, out);
        emit(a02, 0, 2, w, w0, x, x0, k, cols, r, count, row0, rows, t, out);
        emit(a03, 0, 3, w, w0, x, x0, k, cols, r, count, row0, rows, t, out);
        emit(a10, 1, 0, w, w0, x, x0, k, cols, r, count, row0, rows, t, out);
        emit(a11, 1, 1, w, w0, x, x0, k, cols, r, count, row0, rows, t, out);
        emit(a12, 1, 2, w, w0, x, x0, k, cols, r, count, row0, rows, t, out);
        emit(a13, 1, 3, w, w0, x, x0, k, cols, r, count, row0, rows, t, out);
        emit(a20, 2, 0, w, w0, x, x0, k, cols, r, count, row0, rows, t, out);
        emit(a21, 2, 1, w, w0, x, x0, k, cols, r, count, row0, rows, t, out);
        emit(a22, 2, 2, w, w0, x, x0, k, cols, r, count, row0, rows, t, out);
        emit(a23, 2, 3, w, w0, x, x0, k, cols, r, count, row0, rows, t, out);
        emit(a30, 3, 0, w, w0, x, x0, k, cols, r, count, row0, rows, t, out);
        emit(a31, 3, 1, w, w0, x, x0, k, cols, r, count, row0, rows, t, out);
        emit(a32, 3, 2, w, w0, x, x0, k, cols, r, count, row0, rows, t, out);
        emit(a33, 3, 3, w, w0, x, x0, k, cols, r, count, row0, rows, t, out);
    }

    /** Finishes output (row r+i, token t+j) of a tile: lane sum, k tail, store (rows past count are padding). */
    private static void emit(FloatVector acc, int i, int j, float[] w, int w0, float[] x, int x0, int k, int cols,
                             int r, int count, int row0, int rows, int t, float[] out) {
        if (r + i < count) {
            out[(t + j) * rows + row0 + r + i] = tail(sumLanes(acc), w, w0 + i * cols, x, x0 + j * cols, k, cols);
        }
    }
}
