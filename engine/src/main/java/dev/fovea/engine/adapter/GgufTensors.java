package dev.fovea.engine.adapter;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufTensorInfo;
import dev.fovea.engine.tensor.WeightMatrix;
import java.util.Arrays;

/** Shape-checked access to an adapter's tensors in a GGUF file. */
public final class GgufTensors {
    private GgufTensors() {
    }

    /** A matrix of {@code rows} rows of {@code cols} (GGUF shape [cols, rows]). */
    public static WeightMatrix matrix(GgufFile f, String name, int cols, int rows) throws GgufFormatException {
        GgufTensorInfo t = f.tensor(name);
        requireShape(f, t, cols, rows);
        return WeightMatrix.of(f, t);
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
        requireShape(f, t, length, 1);
        return WeightMatrix.of(f, t).dequantize();
    }

    /** The vector, or null when the file lacks it. */
    public static float[] optionalVector(GgufFile f, String name, int length) throws GgufFormatException {
        return f.hasTensor(name) ? vector(f, name, length) : null;
    }

    private static void requireShape(GgufFile f, GgufTensorInfo t, long cols, long rows) throws GgufFormatException {
        if (t.rowLength() != cols || t.rowCount() != rows) {
            throw new GgufFormatException(f.path().getFileName() + ": tensor '" + t.name() + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected [" + cols + ", " + rows + "]");
        }
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
