package dev.fovea.engine.synth;

import dev.fovea.engine.Progress;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufValue;
import dev.fovea.engine.gguf.GgufWriter;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.tensor.Quantizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a random-weight decoder GGUF at a preset's shapes, in llama.cpp's layout (names, shapes, metadata keys),
 * with the tokenizer copied from a vocab GGUF. Sizing and benchmarks need real shapes, not trained weights.
 *
 * <p>2-D weights take the requested type; norms stay F32 (as llama.cpp's converters keep them). Tensors are
 * generated and quantized a chunk of rows at a time and streamed to disk, so a 7B model needs little memory.
 */
public final class LlmSynthesizer {
    /** Standard deviation of the matrices: small enough that activations stay in a sane range over many layers. */
    private static final float WEIGHT_STD = 0.02f;
    private static final int CHUNK_VALUES = 1 << 22;

    /** What to write. */
    public record Spec(LlmPreset preset, GgmlType type, long seed) {
        public Spec {
            if (!Quantizer.supports(type)) {
                throw new IllegalArgumentException("cannot write weights of type " + type);
            }
        }
    }

    private record Planned(String name, GgmlType type, int rows, int cols, Kind kind) {
    }

    private enum Kind { MATRIX, ONES, BIAS }

    private LlmSynthesizer() {
    }

    public static void write(Spec spec, GgufFile vocab, Path out, Parallel pool, Progress progress) throws IOException {
        LlmPreset p = spec.preset();
        String[] tokens = vocab.getStringArray("tokenizer.ggml.tokens");
        if (tokens == null || tokens.length == 0) {
            throw new GgufFormatException(vocab.path() + " has no tokenizer.ggml.tokens: not a vocab GGUF");
        }
        List<Planned> plan = plan(p, tokens.length, spec.type());
        Path tmp = out.resolveSibling(out.getFileName() + ".part");
        try (GgufWriter w = GgufWriter.create(tmp)) {
            String a = p.arch();
            w.putString("general.architecture", a)
                    .putString("general.name", "fovea-synth " + p.name() + " (random weights)")
                    .putUint32("general.file_type", fileType(spec.type()))
                    .putUint32("general.quantization_version", 2)
                    .putUint32(a + ".context_length", p.contextLength())
                    .putUint32(a + ".embedding_length", p.embd())
                    .putUint32(a + ".block_count", p.blockCount())
                    .putUint32(a + ".feed_forward_length", p.ffnLength())
                    .putUint32(a + ".attention.head_count", p.headCount())
                    .putUint32(a + ".attention.head_count_kv", p.headCountKv())
                    .putUint32(a + ".rope.dimension_count", p.headDim())
                    .putFloat32(a + ".rope.freq_base", p.ropeBase())
                    .putFloat32(a + ".attention.layer_norm_rms_epsilon", p.rmsEps())
                    .putUint32(a + ".vocab_size", tokens.length);
            for (Map.Entry<String, GgufValue> e : vocab.metadata().entrySet()) {
                if (e.getKey().startsWith("tokenizer.")) {
                    w.put(e.getKey(), e.getValue());
                }
            }
            for (Planned t : plan) {
                w.addTensor(t.name(), t.type(), t.cols(), t.rows());
            }
            long total = 0;
            for (Planned t : plan) {
                total += t.type().byteSize((long) t.rows() * t.cols());
            }
            RandomWeights random = new RandomWeights(spec.seed());
            long done = 0;
            for (Planned t : plan) {
                done = writeTensor(w, t, random, pool, progress, done, total);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<Planned> plan(LlmPreset p, int vocab, GgmlType type) {
        int kv = p.headCountKv() * p.headDim();
        List<Planned> plan = new ArrayList<>();
        plan.add(matrix("token_embd.weight", type, vocab, p.embd()));
        plan.add(new Planned("output_norm.weight", GgmlType.F32, 1, p.embd(), Kind.ONES));
        if (!p.tiedOutput()) {
            plan.add(matrix("output.weight", type, vocab, p.embd()));
        }
        for (int i = 0; i < p.blockCount(); i++) {
            String b = "blk." + i + ".";
            plan.add(new Planned(b + "attn_norm.weight", GgmlType.F32, 1, p.embd(), Kind.ONES));
            plan.add(matrix(b + "attn_q.weight", type, p.embd(), p.embd()));
            plan.add(matrix(b + "attn_k.weight", type, kv, p.embd()));
            plan.add(matrix(b + "attn_v.weight", type, kv, p.embd()));
            if (p.qkvBias()) {
                plan.add(new Planned(b + "attn_q.bias", GgmlType.F32, 1, p.embd(), Kind.BIAS));
                plan.add(new Planned(b + "attn_k.bias", GgmlType.F32, 1, kv, Kind.BIAS));
                plan.add(new Planned(b + "attn_v.bias", GgmlType.F32, 1, kv, Kind.BIAS));
            }
            plan.add(matrix(b + "attn_output.weight", type, p.embd(), p.embd()));
            plan.add(new Planned(b + "ffn_norm.weight", GgmlType.F32, 1, p.embd(), Kind.ONES));
            plan.add(matrix(b + "ffn_gate.weight", type, p.ffnLength(), p.embd()));
            plan.add(matrix(b + "ffn_up.weight", type, p.ffnLength(), p.embd()));
            plan.add(matrix(b + "ffn_down.weight", type, p.embd(), p.ffnLength()));
        }
        return plan;
    }

    private static Planned matrix(String name, GgmlType type, int rows, int cols) {
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": rows of " + cols + " values do not split into " + type
                    + " blocks of " + type.blockSize() + "; pick another type for this preset");
        }
        return new Planned(name, type, rows, cols, Kind.MATRIX);
    }

    private static long writeTensor(GgufWriter w, Planned t, RandomWeights random, Parallel pool, Progress progress,
                                    long done, long total) throws IOException {
        int cols = t.cols();
        int rowBytes = Math.toIntExact(t.type().byteSize(cols));
        int chunkRows = Math.max(1, Math.min(t.rows(), CHUNK_VALUES / cols));
        float[] values = new float[chunkRows * cols];
        byte[] bytes = new byte[chunkRows * rowBytes];
        for (int first = 0; first < t.rows(); first += chunkRows) {
            int rows = Math.min(chunkRows, t.rows() - first);
            switch (t.kind()) {
                case ONES -> java.util.Arrays.fill(values, 0, rows * cols, 1f);
                case MATRIX, BIAS -> random.fill(t.name(), first, rows, cols,
                        RandomWeights.amplitudeForStd(WEIGHT_STD), values, pool);
            }
            pool.forRange(rows, (from, to) -> {
                for (int r = from; r < to; r++) {
                    Quantizer.quantize(t.type(), values, r * cols, cols, bytes, r * rowBytes);
                }
            });
            w.writeTensorData(bytes, 0, rows * rowBytes);
            done += (long) rows * rowBytes;
            progress.update("synth", done, total);
        }
        return done;
    }

    /** {@code general.file_type}: llama.cpp's LLAMA_FTYPE of a model whose matrices are all {@code type}. */
    private static int fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case Q4_K -> 15;
            case Q6_K -> 18;
            case BF16 -> 32;
            default -> throw new IllegalArgumentException("no llama.cpp file type for " + type);
        };
    }
}
