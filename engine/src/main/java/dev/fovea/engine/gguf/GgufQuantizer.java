package dev.fovea.engine.gguf;

import dev.fovea.engine.Progress;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Quantizer;
import dev.fovea.engine.tensor.WeightMatrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a GGUF file with its weight matrices in another type — a "pure" mix, as llama.cpp's {@code llama-quantize}
 * writes one for an LLM and its CLIP quantizer for an mmproj: every tensor named {@code *.weight} with exactly two
 * dims, stored as F32, F16 or BF16, whose rows are whole blocks of the new type. Everything else is copied as it is:
 * 1-D norms and biases, convolution kernels, tensors already quantized (they are not quantized twice), rows that
 * do not divide into blocks, and position embeddings (small, and read a row at a time). Metadata is copied in its
 * order; {@code general.file_type} becomes llama.cpp's number for the new type where the file has that key.
 */
public final class GgufQuantizer {
    private static final Set<GgmlType> FLOAT_SOURCES = Set.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16);

    /** What a rewrite did: tensors converted and copied, and the file sizes. */
    public record Report(int quantized, int copied, long bytesIn, long bytesOut) {
    }

    private GgufQuantizer() {
    }

    /**
     * Writes {@code out} from {@code in} with the weight matrices in {@code type} (any type {@link Quantizer}
     * writes), reporting progress per tensor.
     */
    public static Report quantize(Path in, Path out, GgmlType type, Progress progress) throws IOException {
        if (!Quantizer.supports(type)) {
            throw new IllegalArgumentException("cannot quantize to " + type + " (supported: " + Quantizer.WRITABLE
                    + ")");
        }
        if (Files.exists(out) && Files.isSameFile(in, out)) {
            throw new IllegalArgumentException("the output must be another file than the input: " + out);
        }
        int quantized = 0;
        int tensors;
        // written beside the output and moved over it when complete: a failed run leaves no half-written file
        Path part = out.resolveSibling(out.getFileName() + ".part");
        try (GgufFile src = GgufFile.open(in); GgufWriter w = GgufWriter.create(part)) {
            for (Map.Entry<String, GgufValue> e : src.metadata().entrySet()) {
                if (e.getKey().equals(GgufKeys.FILE_TYPE)) {
                    w.putUint32(GgufKeys.FILE_TYPE, type.llamaFileType());
                } else {
                    w.put(e.getKey(), e.getValue());
                }
            }
            for (GgufTensorInfo t : src.tensors()) {
                boolean q = converts(t, type);
                quantized += q ? 1 : 0;
                w.addTensor(t.name(), q ? type : t.type(), t.shape());
            }
            tensors = src.tensors().size();
            int done = 0;
            for (GgufTensorInfo t : src.tensors()) {
                if (converts(t, type)) {
                    writeConverted(src, t, type, w);
                } else {
                    w.writeTensorData(src.data(t));
                }
                progress.update("quantizing", ++done, tensors);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        Files.move(part, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new Report(quantized, tensors - quantized, Files.size(in), Files.size(out));
    }

    /** Whether {@code t} becomes {@code type}: a float matrix named {@code *.weight} whose rows are whole blocks. */
    static boolean converts(GgufTensorInfo t, GgmlType type) {
        return t.shape().length == 2 && t.name().endsWith(".weight") && !t.name().contains("position_embd")
                && FLOAT_SOURCES.contains(t.type()) && t.type() != type && t.rowLength() % type.blockSize() == 0;
    }

    private static void writeConverted(GgufFile src, GgufTensorInfo t, GgmlType type, GgufWriter w)
            throws IOException {
        int cols = Math.toIntExact(t.rowLength());
        int rows = Math.toIntExact(t.rowCount());
        WeightMatrix m = WeightMatrix.forRowReads(src.data(t), t.type(), rows, cols);
        float[] row = new float[cols];
        byte[] encoded = new byte[Math.toIntExact(type.byteSize(cols))];
        for (int r = 0; r < rows; r++) {
            m.dequantizeRow(r, row, 0);
            Quantizer.quantize(type, row, 0, cols, encoded, 0);
            w.writeTensorData(encoded);
        }
    }
}
