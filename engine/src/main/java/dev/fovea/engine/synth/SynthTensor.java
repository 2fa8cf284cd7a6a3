package dev.fovea.engine.synth;

import dev.fovea.engine.Progress;
import dev.fovea.engine.gguf.GgufWriter;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.tensor.Quantizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * One tensor of a synthesized model: {@code rows} rows of {@code cols} values, either a constant or uniform random
 * values of a given standard deviation. {@link #writeAll} streams a list of them into a GGUF writer a chunk of rows
 * at a time (generated and quantized on the pool), so even multi-GB models need little memory.
 */
record SynthTensor(String name, GgmlType type, int rows, int cols, float constant, float std, long[] shape,
                   float[] fixed) {
    private static final int CHUNK_VALUES = 1 << 22;

    static SynthTensor random(String name, GgmlType type, int rows, int cols, float std) {
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": rows of " + cols + " values do not split into " + type
                    + " blocks of " + type.blockSize() + "; pick another type for this preset");
        }
        return new SynthTensor(name, type, rows, cols, 0f, std, null, null);
    }

    /** The same values declared with another GGUF shape of as many elements (e.g. a 4-D convolution kernel). */
    SynthTensor withShape(long... ggufShape) {
        return new SynthTensor(name, type, rows, cols, constant, std, ggufShape.clone(), fixed);
    }

    static SynthTensor constant(String name, int length, float value) {
        return new SynthTensor(name, GgmlType.F32, 1, length, value, 0f, null, null);
    }

    /** An F32 vector of the given values (e.g. computed rotary frequency factors). */
    static SynthTensor values(String name, float[] values) {
        return new SynthTensor(name, GgmlType.F32, 1, values.length, 0f, 0f, null, values.clone());
    }

    long bytes() {
        return type.byteSize((long) rows * cols);
    }

    /** Declares the tensors in the writer (GGUF shape [cols, rows], or [cols] for vectors). */
    private static void declare(GgufWriter w, List<SynthTensor> tensors) {
        for (SynthTensor t : tensors) {
            if (t.shape != null) {
                w.addTensor(t.name, t.type, t.shape);
            } else if (t.rows == 1) {
                w.addTensor(t.name, t.type, t.cols);
            } else {
                w.addTensor(t.name, t.type, t.cols, t.rows);
            }
        }
    }

    /**
     * Writes a whole GGUF: {@code metadata}, then the tensors, into a temporary sibling that replaces {@code out}
     * only when complete (a failed or interrupted write leaves no half file behind).
     */
    static void writeFile(Path out, Consumer<GgufWriter> metadata, List<SynthTensor> tensors, long seed, Parallel pool,
                          Progress progress) throws IOException {
        Path tmp = out.resolveSibling(out.getFileName() + ".part");
        try (GgufWriter w = GgufWriter.create(tmp)) {
            metadata.accept(w);
            declare(w, tensors);
            writeAll(w, tensors, seed, pool, progress);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeAll(GgufWriter w, List<SynthTensor> tensors, long seed, Parallel pool, Progress progress)
            throws IOException {
        long total = tensors.stream().mapToLong(SynthTensor::bytes).sum();
        RandomWeights random = new RandomWeights(seed);
        long done = 0;
        for (SynthTensor t : tensors) {
            done = t.write(w, random, pool, progress, done, total);
        }
    }

    private long write(GgufWriter w, RandomWeights random, Parallel pool, Progress progress, long done, long total)
            throws IOException {
        int rowBytes = Math.toIntExact(type.byteSize(cols));
        int chunkRows = Math.max(1, Math.min(rows, CHUNK_VALUES / cols));
        float[] values = new float[chunkRows * cols];
        byte[] bytes = new byte[chunkRows * rowBytes];
        for (int first = 0; first < rows; first += chunkRows) {
            int n = Math.min(chunkRows, rows - first);
            if (fixed != null) {
                System.arraycopy(fixed, first * cols, values, 0, n * cols);
            } else if (std == 0f) {
                Arrays.fill(values, 0, n * cols, constant);
            } else {
                random.fill(name, first, n, cols, RandomWeights.amplitudeForStd(std), values, pool);
            }
            pool.forRange(n, (from, to) -> {
                for (int r = from; r < to; r++) {
                    Quantizer.quantize(type, values, r * cols, cols, bytes, r * rowBytes);
                }
            });
            w.writeTensorData(bytes, 0, n * rowBytes);
            done += (long) n * rowBytes;
            progress.update("synth", done, total);
        }
        return done;
    }
}
