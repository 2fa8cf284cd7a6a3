package dev.fovea.engine.layers;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufTensorInfo;
import dev.fovea.engine.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Shape-checked access to a model's tensors in a GGUF file, for every part that loads weights: the decoder, the
 * vision towers and the projectors. A matrix is always named by its input then its output width, as GGUF stores it
 * ({@code ne = [input, output]}: one row of {@code input} values per output). Messages name the file and the tensor.
 */
public final class GgufTensors {
    private GgufTensors() {
    }

    /** The matrix {@code name} mapping {@code in} values to {@code out}, ready for products. */
    public static WeightMatrix matrix(GgufFile f, String name, int in, int out) throws GgufFormatException {
        GgufTensorInfo t = f.tensor(name);
        requireShape(f, t, in, out);
        return weights(f, t);
    }

    /**
     * Rows [{@code from}, {@code from + count}) of the matrix {@code name} mapping {@code in} values to {@code out},
     * as a matrix of their own: one part of a stacked tensor (phi3's {@code attn_qkv}, Q rows then K then V).
     */
    public static WeightMatrix matrixRows(GgufFile f, String name, int in, int out, int from, int count)
            throws GgufFormatException {
        GgufTensorInfo t = f.tensor(name);
        requireShape(f, t, in, out);
        return wrap(f, t, from, count, in, true);
    }

    /** The tensor {@code t} as a matrix for products (repacked where its type has a faster layout). */
    public static WeightMatrix weights(GgufFile f, GgufTensorInfo t) throws GgufFormatException {
        return wrap(f, t, true);
    }

    /**
     * The tensor {@code t} for row reads and dequantizing only (embedding lookups, position tables): no repacked
     * copy is made, so loading it costs neither the repacking nor its memory. Products still work, from the file's
     * layout, with the same results.
     */
    public static WeightMatrix rowTable(GgufFile f, GgufTensorInfo t) throws GgufFormatException {
        return wrap(f, t, false);
    }

    /**
     * The tensor {@code t} read as {@code out} rows of {@code in} values whatever its dims, e.g. a convolution
     * kernel {@code [kw, kh, channels, out]} whose rows are each output channel's {@code kw·kh·channels} weights.
     */
    public static WeightMatrix flattened(GgufFile f, GgufTensorInfo t, int in, int out) throws GgufFormatException {
        if (t.elementCount() != (long) in * out) {
            throw new GgufFormatException(f.path().getFileName() + ": tensor '" + t.name() + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected " + in + "×" + out + " values");
        }
        return wrap(f, t, 0, out, in, true);
    }

    private static WeightMatrix wrap(GgufFile f, GgufTensorInfo t, boolean products) throws GgufFormatException {
        // rows are all dims but the first, as ggml counts them
        if (t.rowLength() > Integer.MAX_VALUE || t.rowCount() > Integer.MAX_VALUE) {
            throw new GgufFormatException(f.path().getFileName() + ": tensor '" + t.name() + "' is too large");
        }
        return wrap(f, t, 0, Math.toIntExact(t.rowCount()), Math.toIntExact(t.rowLength()), products);
    }

    /** Rows [{@code fromRow}, {@code fromRow + rows}) of {@code t}, each {@code cols} values. */
    private static WeightMatrix wrap(GgufFile f, GgufTensorInfo t, int fromRow, int rows, int cols, boolean products)
            throws GgufFormatException {
        if (!t.type().supported()) {
            throw new GgufFormatException(f.path().getFileName() + ": tensor '" + t.name() + "' has type " + t.type()
                    + ", which the engine does not support");
        }
        try {
            MemorySegment data = fromRow == 0 ? f.data(t) : f.data(t).asSlice(t.type().byteSize(cols) * fromRow);
            return products ? WeightMatrix.of(data, t.type(), rows, cols)
                    : WeightMatrix.forRowReads(data, t.type(), rows, cols);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new GgufFormatException(f.path().getFileName() + ": tensor '" + t.name() + "': " + e.getMessage());
        }
    }

    /** A matrix whose shape is only checked to be 2-D; callers check the dims they know. */
    public static GgufTensorInfo matrixInfo(GgufFile f, String name) throws GgufFormatException {
        GgufTensorInfo t = f.tensor(name);
        if (t.shape().length != 2 && !(t.shape().length == 3 && t.shape()[2] == 1)) {
            throw new GgufFormatException(f.path().getFileName() + ": tensor '" + name + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected 2 dims");
        }
        if (t.shape()[0] > Integer.MAX_VALUE || t.shape()[1] > Integer.MAX_VALUE) {
            throw new GgufFormatException(f.path().getFileName() + ": tensor '" + name + "' is too large");
        }
        return t;
    }

    /** A vector of {@code length} floats, dequantized. */
    public static float[] vector(GgufFile f, String name, int length) throws GgufFormatException {
        GgufTensorInfo t = f.tensor(name);
        if (t.elementCount() != length) {
            throw new GgufFormatException(f.path().getFileName() + ": tensor '" + name + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected " + length + " values");
        }
        return rowTable(f, t).dequantize();
    }

    /** The vector, or null when the file lacks it. */
    public static float[] optionalVector(GgufFile f, String name, int length) throws GgufFormatException {
        return f.hasTensor(name) ? vector(f, name, length) : null;
    }

    /** The dense layer {@code name.weight} (+ optional {@code name.bias}) mapping {@code in} values to {@code out}. */
    public static DenseLayer dense(GgufFile f, String name, int in, int out) throws GgufFormatException {
        return new DenseLayer(matrix(f, name + ".weight", in, out), optionalVector(f, name + ".bias", out));
    }

    /** The dense layer {@code name}, its widths as the file has them. */
    public static DenseLayer dense(GgufFile f, String name) throws GgufFormatException {
        GgufTensorInfo w = matrixInfo(f, name + ".weight");
        return dense(f, name, (int) w.rowLength(), (int) w.rowCount());
    }

    /** The layer norm {@code name.weight} (+ optional {@code name.bias}) of {@code dim} values. */
    public static LayerNormWeights layerNorm(GgufFile f, String name, int dim, float eps) throws GgufFormatException {
        return new LayerNormWeights(vector(f, name + ".weight", dim), optionalVector(f, name + ".bias", dim), eps);
    }

    /** The layer norm {@code name}, its width as the file has it, or null when the file lacks it. */
    public static LayerNormWeights optionalLayerNorm(GgufFile f, String name, float eps) throws GgufFormatException {
        if (!f.hasTensor(name + ".weight")) {
            return null;
        }
        return layerNorm(f, name, Math.toIntExact(f.tensor(name + ".weight").elementCount()), eps);
    }

    /** The layer norm {@code name}, its width as the file has it. */
    public static LayerNormWeights layerNorm(GgufFile f, String name, float eps) throws GgufFormatException {
        LayerNormWeights n = optionalLayerNorm(f, name, eps);
        if (n == null) {
            throw new GgufFormatException(f.path().getFileName() + ": missing tensor '" + name + ".weight'");
        }
        return n;
    }

    private static void requireShape(GgufFile f, GgufTensorInfo t, long in, long out) throws GgufFormatException {
        if (t.rowLength() != in || t.rowCount() != out) {
            throw new GgufFormatException(f.path().getFileName() + ": tensor '" + t.name() + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected [" + in + ", " + out + "]");
        }
    }

    /** A float array metadata value of exactly {@code n} values that must be present (e.g. an image mean). */
    public static float[] requireFloats(GgufFile f, String key, int n) throws GgufFormatException {
        float[] v = f.getFloatArray(key);
        if (v == null || v.length != n) {
            throw new GgufFormatException(key + " must hold " + n + " values");
        }
        return v;
    }

    /** A positive int metadata value that must be present. */
    public static int requirePositive(GgufFile f, String key) throws GgufFormatException {
        if (!f.has(key)) {
            throw new GgufFormatException(f.path().getFileName() + ": missing metadata '" + key + "'");
        }
        int v = f.requireInt(key);
        if (v <= 0) {
            throw new GgufFormatException(f.path().getFileName() + ": metadata '" + key + "' must be positive, got " + v);
        }
        return v;
    }
}
