package dev.fovea.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * A 2-D weight tensor in one of ggml's storage types (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, Q2_K,
 * Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS), read in
 * place (usually from a memory-mapped GGUF file): {@code rows} rows of {@code cols} values each.
 *
 * <p>Products follow llama.cpp's CPU numerics: for quantized weights the activations are first quantized once per
 * call to the format llama.cpp pairs with the weight type (Q8_0, Q8_1 or Q8_K), and block sums of integer products
 * are exact.
 * {@link #matMul} is batch invariant: row t of its output is bit-identical to {@link #matVec} of token t, for
 * every batch size and thread count.
 */
public final class WeightMatrix {
    /** Below this many tokens, mat-mul runs mat-vec per token (same results, no tiling overhead). */
    private static final int MIN_TILED_TOKENS = 4;
    /** Below this many tokens a quantized mat-mul runs the row kernel per token (decode batches). */
    private static final int MIN_TILED_QUANT_TOKENS = 16;
    /**
     * Repack Q8_0/Q4_0 (all products) and Q4_K/Q5_K/Q6_K (products of fewer than 16 tokens) matrices row-interleaved at load (default);
     * false keeps only the mapped file's layout.
     */
    private static final boolean INTERLEAVE = Boolean.parseBoolean(System.getProperty("fovea.interleave", "true"));

    private final MemorySegment data;
    private final GgmlType type;
    private final int rows;
    private final int cols;
    private final long rowBytes;
    /** The same weights row-interleaved ({@link InterleavedQuants}) for the products, or null. */
    private final MemorySegment interleaved;
    /**
     * Q4_K / Q5_K / Q6_K weights row-interleaved for single-token and small-batch products ({@link InterleavedQ4KQ5K},
     * {@link InterleavedQ6K}), or null.
     */
    private final MemorySegment kDecode;

    private WeightMatrix(MemorySegment data, GgmlType type, int rows, int cols, MemorySegment interleaved,
                         MemorySegment kDecode) {
        this.data = data;
        this.interleaved = interleaved;
        this.kDecode = kDecode;
        this.type = type;
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = type.byteSize(cols);
    }

    /**
     * A matrix over {@code data} for row reads and dequantizing only (embedding lookups, position tables): no
     * repacked copy is made, so it costs neither the repacking nor its memory. Products still work, from the
     * file's layout, with the same results.
     */
    public static WeightMatrix forRowReads(MemorySegment data, GgmlType type, int rows, int cols) {
        return of(data, type, rows, cols, false);
    }

    /**
     * A matrix over {@code data} holding {@code rows} rows of {@code cols} values of {@code type}.
     *
     * @throws IllegalArgumentException for an unsupported type, a row length that is not a whole number of
     *                                  blocks, non-positive dimensions or a segment too small for the shape
     */
    public static WeightMatrix of(MemorySegment data, GgmlType type, int rows, int cols) {
        return of(data, type, rows, cols, INTERLEAVE);
    }

    /** As {@link #of(MemorySegment, GgmlType, int, int)}, choosing whether Q8_0/Q4_0 weights are repacked. */
    static WeightMatrix of(MemorySegment data, GgmlType type, int rows, int cols, boolean interleave) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(type, "type");
        if (!type.supported()) {
            throw new IllegalArgumentException("no kernels for tensor type " + type);
        }
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("matrix dimensions must be positive, got " + rows + "×" + cols);
        }
        long need = Math.multiplyExact(type.byteSize(cols), (long) rows); // byteSize checks whole blocks
        if (data.byteSize() < need) {
            throw new IllegalArgumentException(rows + "×" + cols + " " + type + " needs " + need + " bytes, segment has "
                    + data.byteSize());
        }
        if (!data.isNative() && !(data.heapBase().orElse(null) instanceof byte[])) {
            // the vector loads read native or byte[]-backed segments only
            MemorySegment copy = MemorySegment.ofArray(new byte[Math.toIntExact(need)]);
            MemorySegment.copy(data, 0, copy, 0, need);
            data = copy;
        }
        // the mapped original stays for row reads (embeddings); products read the repacked copy
        MemorySegment il = interleave ? InterleavedQuants.repack(data, type, rows, cols) : null;
        MemorySegment kDecode = !interleave ? null : switch (type) {
            case Q4_K, Q5_K -> InterleavedQ4KQ5K.repack(data, type, rows, cols);
            case Q6_K -> InterleavedQ6K.repack(data, rows, cols);
            default -> null;
        };
        return new WeightMatrix(data, type, rows, cols, il, kDecode);
    }

    /** An F32 matrix holding a copy of {@code values} ([rows][cols] row-major). */
    public static WeightMatrix ofFloats(float[] values, int rows, int cols) {
        if (values.length != (long) rows * cols) {
            throw new IllegalArgumentException(values.length + " values for a " + rows + "×" + cols + " matrix");
        }
        return of(MemorySegment.ofArray(values), GgmlType.F32, rows, cols);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public GgmlType type() {
        return type;
    }

    /** Writes row {@code row} as floats into dst[off … off+cols). */
    public void dequantizeRow(int row, float[] dst, int off) {
        Objects.checkIndex(row, rows);
        Objects.checkFromIndexSize(off, cols, dst.length);
        byte[] raw = new byte[Math.toIntExact(rowBytes)];
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, row * rowBytes, raw, 0, raw.length);
        BlockDecoder.dequantize(type, raw, 0, cols, dst, off);
    }

    /** The whole matrix as floats, [rows][cols]. */
    public float[] dequantize() {
        long total = (long) rows * cols;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(rows + "×" + cols + " is too large to dequantize into one array");
        }
        float[] out = new float[(int) total];
        for (int r = 0; r < rows; r++) {
            dequantizeRow(r, out, r * cols);
        }
        return out;
    }

    /** Row {@code row} · x[xOff … xOff+cols), computed exactly as {@link #matVec} computes that row. */
    public float dot(int row, float[] x, int xOff) {
        Objects.checkIndex(row, rows);
        Objects.checkFromIndexSize(xOff, cols, x.length);
        if (isFloat()) {
            float[] w = new float[cols];
            FloatKernels.toFloat(type, data, row * rowBytes, cols, w, 0, new short[cols]);
            return FloatKernels.dot(w, 0, x, xOff, cols);
        }
        QuantizedActivations a = QuantizedActivations.of(QuantMatMul.kind(type), x, xOff, 1, cols);
        return QuantRowDot.dot(type, data, row * rowBytes, cols, a, 0);
    }

    /** out[r] = row r · x for every row. */
    public void matVec(float[] x, float[] out, Parallel pool) {
        Objects.checkFromIndexSize(0, cols, x.length);
        Objects.checkFromIndexSize(0, rows, out.length);
        if (isFloat()) {
            pool.forRange(rows, (from, to) -> FloatKernels.matVec(type, data, cols, x, out, from, to));
            return;
        }
        products(QuantizedActivations.of(QuantMatMul.kind(type), x, 0, 1, cols), 1, out, pool);
    }

    /** out[t][r] = row r · x[t] for t in [0, n): x is [n][cols], out is [n][rows], both row-major. */
    public void matMul(float[] x, int n, float[] out, Parallel pool) {
        if (n < 0) {
            throw new IllegalArgumentException("negative token count " + n);
        }
        Objects.checkFromIndexSize(0, (long) n * cols, x.length);
        Objects.checkFromIndexSize(0, (long) n * rows, out.length);
        if (n == 0) {
            return;
        }
        if (readsQuantizedActivations(n)) {
            products(QuantizedActivations.of(QuantMatMul.kind(type), x, 0, n, cols, pool), n, out, pool);
            return;
        }
        if (n < MIN_TILED_TOKENS) {
            float[] xt = new float[cols];
            float[] ot = new float[rows];
            for (int t = 0; t < n; t++) {
                System.arraycopy(x, t * cols, xt, 0, cols);
                matVec(xt, ot, pool);
                System.arraycopy(ot, 0, out, t * rows, rows);
            }
            return;
        }
        if (isFloat()) {
            FloatKernels.matMul(type, data, rows, cols, x, n, out, pool);
        } else if (interleaved != null) {
            QuantMatMul.run(interleaved, true, type, rows, cols, x, n, out, pool);
        } else {
            QuantMatMul.run(data, type, rows, cols, x, n, out, pool);
        }
    }

    /**
     * out_i = ws[i] · x (as {@link #matMul}, or {@link #matVec} when n is 1) for matrices that read the same input,
     * such as a layer's q, k and v: the input is quantized once per activation format instead of once per matrix.
     * Each result is bit-identical to the single product's.
     */
    public static void matMulSameInput(float[] x, int n, Parallel pool, WeightMatrix[] ws, float[][] outs) {
        if (ws.length != outs.length) {
            throw new IllegalArgumentException(ws.length + " matrices but " + outs.length + " outputs");
        }
        QuantizedActivations[] byKind = new QuantizedActivations[QuantizedActivations.Kind.values().length];
        for (int i = 0; i < ws.length; i++) {
            WeightMatrix w = ws[i];
            if (n == 0 || !w.readsQuantizedActivations(n)) {
                if (n == 1) {
                    w.matVec(x, outs[i], pool);
                } else {
                    w.matMul(x, n, outs[i], pool);
                }
                continue;
            }
            Objects.checkFromIndexSize(0, (long) n * w.cols, x.length);
            Objects.checkFromIndexSize(0, (long) n * w.rows, outs[i].length);
            QuantizedActivations.Kind kind = QuantMatMul.kind(w.type);
            QuantizedActivations a = byKind[kind.ordinal()];
            if (a == null || a.cols != w.cols) {
                a = QuantizedActivations.of(kind, x, 0, n, w.cols, pool);
                byKind[kind.ordinal()] = a;
            }
            w.products(a, n, outs[i], pool);
        }
    }

    /** Whether an n-token product goes through {@link #products} (else through the float or tiled kernels). */
    private boolean readsQuantizedActivations(int n) {
        // interleaved weights have kernels for every batch size; a small decode batch (continuous batching) on
        // the file's layout reads each weight row once, while it sits in L1, for every token, with the mat-vec
        // kernel itself — so each output is bit-identical to matVec's
        return !isFloat() && (interleaved != null && !tilesRepacked(n) || n < MIN_TILED_QUANT_TOKENS
                || !QuantMatMul.tiles(type));
    }

    /**
     * Whether an n-token product of repacked weights goes through the tiled kernel reading the repacked copy:
     * Q4_0 prompts on 256-bit CPUs, where the interleaved 8-token pass is bound by widening nibbles to floats and
     * the tiled kernel, which widens each weight once for all tokens, was measured 1.27× faster (TinyLlama shapes,
     * 128 tokens, 2 threads: 27.7 against 21.8 tok/s).
     */
    private boolean tilesRepacked(int n) {
        return type == GgmlType.Q4_0 && !VectorWidth.WIDE && n >= MIN_TILED_QUANT_TOKENS;
    }

    /** out[t][r] = row r · token t of the quantized activations a, for t in [0, n). */
    private void products(QuantizedActivations a, int n, float[] out, Parallel pool) {
        if (interleaved != null) {
            InterleavedMatMul.run(type, interleaved, rows, cols, a, out, pool);
            return;
        }
        if (kDecode != null) {
            // single tokens and small batches (the tiled kernel takes batches of MIN_TILED_QUANT_TOKENS and more)
            if (type == GgmlType.Q4_K || type == GgmlType.Q5_K) {
                InterleavedQ4KQ5K.products(kDecode, type, rows, cols, a, n, out, pool);
            } else {
                InterleavedQ6K.products(kDecode, rows, cols, a, n, out, pool);
            }
            return;
        }
        pool.forRange(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                long off = r * rowBytes;
                for (int t = 0; t < n; t++) {
                    out[t * rows + r] = QuantRowDot.dot(type, data, off, cols, a, t);
                }
            }
        });
    }

    /** Whether products read a row-interleaved copy of the weights. */
    boolean isInterleaved() {
        return interleaved != null;
    }

    private boolean isFloat() {
        return type == GgmlType.F32 || type == GgmlType.F16 || type == GgmlType.BF16;
    }

    @Override
    public String toString() {
        return "WeightMatrix[" + rows + "×" + cols + " " + type + "]";
    }
}
