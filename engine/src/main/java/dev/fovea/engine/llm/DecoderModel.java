package dev.fovea.engine.llm;

import dev.fovea.engine.Progress;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufTensorInfo;
import dev.fovea.engine.ops.Activations;
import dev.fovea.engine.ops.Norms;
import dev.fovea.engine.ops.Softmax;
import dev.fovea.engine.ops.VectorMath;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.tensor.WeightMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * A decoder-only transformer of the {@code llama} family ({@code llama}, {@code qwen2}): RMSNorm, rotary
 * positions, grouped-query attention, SwiGLU FFN, optional Q/K/V biases, output tied to the token embedding when
 * {@code output.weight} is absent. Weights stay memory-mapped; the model is immutable and may serve many
 * sequences at once, each with its own {@link KvCache}.
 */
public final class DecoderModel {
    /** Rows processed together through the linear layers; bounds activation memory for long inputs. */
    static final int MAX_UBATCH = 512;

    private final LlmConfig config;
    private final WeightMatrix tokenEmbedding;
    private final LayerWeights[] layers;
    private final float[] outputNorm;
    private final WeightMatrix output;
    private final Rope rope;
    private final Parallel pool;

    private DecoderModel(LlmConfig config, WeightMatrix tokenEmbedding, LayerWeights[] layers, float[] outputNorm,
                         WeightMatrix output, Parallel pool) {
        this.config = config;
        this.tokenEmbedding = tokenEmbedding;
        this.layers = layers;
        this.outputNorm = outputNorm;
        this.output = output;
        this.rope = new Rope(config.ropeDims(), config.ropeBase(), config.ropeNeox());
        this.pool = pool;
    }

    /** Loads a {@code llama}/{@code qwen2} GGUF; the file must stay open while the model is used. */
    public static DecoderModel load(GgufFile f, Parallel pool, Progress progress) throws GgufFormatException {
        GgufTensorInfo embInfo = f.tensor("token_embd.weight");
        // with an output matrix of its own, the embedding only serves row lookups: no repacked copy for products
        boolean tied = !f.hasTensor("output.weight");
        WeightMatrix emb = matrix(f, embInfo, tied);
        LlmConfig cfg = LlmConfig.fromGguf(f, emb.rows());
        if (emb.cols() != cfg.embd()) {
            throw new GgufFormatException("token_embd.weight width " + emb.cols() + " != embedding_length " + cfg.embd());
        }
        LayerWeights[] layers = new LayerWeights[cfg.blockCount()];
        for (int i = 0; i < layers.length; i++) {
            String p = "blk." + i + ".";
            layers[i] = new LayerWeights(
                    vector(f, p + "attn_norm.weight", cfg.embd()),
                    matrix(f, p + "attn_q.weight", cfg.headCount() * cfg.headDim(), cfg.embd()),
                    matrix(f, p + "attn_k.weight", cfg.kvDim(), cfg.embd()),
                    matrix(f, p + "attn_v.weight", cfg.kvDim(), cfg.embd()),
                    optionalVector(f, p + "attn_q.bias", cfg.headCount() * cfg.headDim()),
                    optionalVector(f, p + "attn_k.bias", cfg.kvDim()),
                    optionalVector(f, p + "attn_v.bias", cfg.kvDim()),
                    matrix(f, p + "attn_output.weight", cfg.embd(), cfg.headCount() * cfg.headDim()),
                    vector(f, p + "ffn_norm.weight", cfg.embd()),
                    matrix(f, p + "ffn_gate.weight", cfg.ffnLength(), cfg.embd()),
                    matrix(f, p + "ffn_up.weight", cfg.ffnLength(), cfg.embd()),
                    matrix(f, p + "ffn_down.weight", cfg.embd(), cfg.ffnLength()));
            progress.update("load", i + 1, layers.length);
        }
        float[] outNorm = vector(f, "output_norm.weight", cfg.embd());
        WeightMatrix out = tied ? emb : matrix(f, "output.weight", cfg.vocabSize(), cfg.embd());
        return new DecoderModel(cfg, emb, layers, outNorm, out, pool);
    }

    private static WeightMatrix matrix(GgufFile f, GgufTensorInfo t) throws GgufFormatException {
        return matrix(f, t, true);
    }

    /** {@code products}: whether the model multiplies by it (else row reads only, see WeightMatrix.forRowReads). */
    private static WeightMatrix matrix(GgufFile f, GgufTensorInfo t, boolean products) throws GgufFormatException {
        if (!t.type().supported()) {
            throw new GgufFormatException("tensor '" + t.name() + "' has type " + t.type()
                    + ", which the engine does not support");
        }
        try {
            return products ? WeightMatrix.of(f, t) : WeightMatrix.forRowReads(f, t);
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException("tensor '" + t.name() + "': " + e.getMessage());
        }
    }

    private static WeightMatrix matrix(GgufFile f, String name, int rows, int cols) throws GgufFormatException {
        WeightMatrix m = matrix(f, f.tensor(name));
        if (m.rows() != rows || m.cols() != cols) {
            throw new GgufFormatException("tensor '" + name + "' is " + m.rows() + "×" + m.cols() + ", expected "
                    + rows + "×" + cols);
        }
        return m;
    }

    private static float[] vector(GgufFile f, String name, int length) throws GgufFormatException {
        float[] v = matrix(f, f.tensor(name), false).dequantize();
        if (v.length != length) {
            throw new GgufFormatException("tensor '" + name + "' has " + v.length + " values, expected " + length);
        }
        return v;
    }

    private static float[] optionalVector(GgufFile f, String name, int length) throws GgufFormatException {
        return f.hasTensor(name) ? vector(f, name, length) : null;
    }

    public LlmConfig config() {
        return config;
    }

    /** A fresh KV cache for one sequence of up to {@code capacity} positions. */
    public KvCache newCache(int capacity) {
        return new KvCache(config, capacity);
    }

    /**
     * Appends {@code segments} to the sequence held in {@code cache} and returns logits: for the last position
     * only ({@code [n_vocab]}), or with {@code allLogits} for every new position ({@code [n][n_vocab]} row-major).
     */
    public float[] forward(KvCache cache, List<Segment> segments, boolean allLogits) {
        int total = checkInput(cache, segments);
        int vocab = config.vocabSize();
        float[] logits = new float[allLogits ? total * vocab : vocab];
        RowSource rows = new RowSource(segments);
        int done = 0;
        while (done < total) {
            int n = Math.min(MAX_UBATCH, total - done);
            float[] x = new float[n * config.embd()];
            rows.fill(x, 0, n);
            forwardRows(List.of(new Slot(cache, 0, n)), x, n);
            if (allLogits) {
                project(x, n, logits, done * vocab);
            } else if (done + n == total) {
                float[] last = new float[config.embd()];
                System.arraycopy(x, (n - 1) * config.embd(), last, 0, config.embd());
                project(last, 1, logits, 0);
            }
            done += n;
        }
        return logits;
    }

    /**
     * One step for several sequences at once (continuous batching): appends {@code inputs.get(i)} to
     * {@code caches.get(i)} and returns the logits of each sequence's last new position. The weight matrices are
     * read once for all rows. Every output row is reduced in the same order as in {@link #forward}, so each
     * sequence's logits are bit-identical to running it alone.
     */
    public float[][] forwardBatch(List<KvCache> caches, List<List<Segment>> inputs) {
        if (caches.size() != inputs.size() || caches.isEmpty()) {
            throw new IllegalArgumentException(caches.size() + " caches for " + inputs.size() + " inputs");
        }
        IdentityHashMap<KvCache, Boolean> seen = new IdentityHashMap<>();
        int total = 0;
        int[] counts = new int[caches.size()];
        for (int i = 0; i < caches.size(); i++) {
            if (seen.put(caches.get(i), Boolean.TRUE) != null) {
                throw new IllegalArgumentException("the same KV cache appears twice in one batch");
            }
            counts[i] = checkInput(caches.get(i), inputs.get(i));
            total += counts[i];
        }
        int d = config.embd();
        float[] x = new float[total * d];
        List<Slot> slots = new ArrayList<>(caches.size());
        int start = 0;
        for (int i = 0; i < caches.size(); i++) {
            new RowSource(inputs.get(i)).fill(x, start, counts[i]);
            slots.add(new Slot(caches.get(i), start, counts[i]));
            start += counts[i];
        }
        forwardRows(slots, x, total);
        float[] last = new float[caches.size() * d];
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            System.arraycopy(x, (s.start() + s.rows() - 1) * d, last, i * d, d);
        }
        int vocab = config.vocabSize();
        float[] all = new float[caches.size() * vocab];
        project(last, caches.size(), all, 0);
        float[][] out = new float[caches.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab);
        }
        return out;
    }

    /** Validates one sequence's input against the model and its cache; returns its number of positions. */
    private int checkInput(KvCache cache, List<Segment> segments) {
        int total = 0;
        for (Segment s : segments) {
            if (s instanceof Segment.Embeddings e && e.count() > 0 && e.data().length / e.count() != config.embd()) {
                throw new IllegalArgumentException("embedding segment rows have width " + e.data().length / e.count()
                        + ", the model's is " + config.embd());
            }
            if (s instanceof Segment.Tokens t) {
                for (int id : t.ids()) {
                    if (id < 0 || id >= config.vocabSize()) {
                        throw new IllegalArgumentException("token id " + id + " outside the vocabulary of "
                                + config.vocabSize());
                    }
                }
            }
            total += s.length();
        }
        if (total == 0) {
            throw new IllegalArgumentException("nothing to evaluate: no input positions");
        }
        if (cache.length() + total > cache.capacity()) {
            throw new IllegalArgumentException("context overflow: " + cache.length() + " + " + total
                    + " positions exceed the KV cache of " + cache.capacity());
        }
        // before any layer takes the cache's arrays: they may be replaced by larger ones here
        cache.reserve(cache.length() + total);
        return total;
    }

    /** Rows [start, start + rows) of a batch belong to the sequence of {@code cache}, at its next positions. */
    private record Slot(KvCache cache, int start, int rows) {
    }

    /** Runs the batch's rows through all blocks; x becomes the final hidden state. */
    private void forwardRows(List<Slot> slots, float[] x, int n) {
        int d = config.embd();
        int qDim = config.headCount() * config.headDim();
        int kvDim = config.kvDim();
        int ff = config.ffnLength();
        float[] xn = new float[n * d];
        float[] q = new float[n * qDim];
        float[] k = new float[n * kvDim];
        float[] v = new float[n * kvDim];
        float[] att = new float[n * qDim];
        float[] proj = new float[n * d];
        float[] gate = new float[n * ff];
        float[] up = new float[n * ff];
        float[] cos = new float[rope.dims() / 2];
        float[] sin = new float[rope.dims() / 2];
        for (int l = 0; l < layers.length; l++) {
            LayerWeights w = layers[l];
            Norms.rmsNorm(x, xn, n, w.attnNorm(), config.rmsEps());
            WeightMatrix.matMulSameInput(xn, n, pool, new WeightMatrix[] {w.wq(), w.wk(), w.wv()},
                    new float[][] {q, k, v});
            if (w.bq() != null) {
                VectorMath.addBias(q, n, w.bq());
            }
            if (w.bk() != null) {
                VectorMath.addBias(k, n, w.bk());
            }
            if (w.bv() != null) {
                VectorMath.addBias(v, n, w.bv());
            }
            for (Slot s : slots) {
                int pos0 = s.cache().length();
                for (int r = 0; r < s.rows(); r++) {
                    int row = s.start() + r;
                    rope.apply(q, row * qDim, config.headCount(), config.headDim(), pos0 + r, cos, sin);
                    rope.apply(k, row * kvDim, config.headCountKv(), config.headDim(), pos0 + r, cos, sin);
                }
                System.arraycopy(k, s.start() * kvDim, s.cache().keys(l), pos0 * kvDim, s.rows() * kvDim);
                System.arraycopy(v, s.start() * kvDim, s.cache().values(l), pos0 * kvDim, s.rows() * kvDim);
            }
            attend(slots, q, att, l);
            linear(w.wo(), att, n, proj);
            VectorMath.addInPlace(x, proj);

            Norms.rmsNorm(x, xn, n, w.ffnNorm(), config.rmsEps());
            WeightMatrix.matMulSameInput(xn, n, pool, new WeightMatrix[] {w.wGate(), w.wUp()},
                    new float[][] {gate, up});
            Activations.swiglu(gate, up, n * ff, pool);
            linear(w.wDown(), gate, n, proj);
            VectorMath.addInPlace(x, proj);
        }
        for (Slot s : slots) {
            s.cache().advance(s.rows());
        }
    }

    /** Causal attention of every slot's new rows over its own cache, one task per (row, head). */
    private void attend(List<Slot> slots, float[] q, float[] att, int layer) {
        int heads = config.headCount();
        int hd = config.headDim();
        int qDim = heads * hd;
        int kvDim = config.kvDim();
        int group = heads / config.headCountKv();
        float scale = (float) (1.0 / Math.sqrt(hd));
        int rowsTotal = 0;
        int maxLen = 0;
        int[] slotOfRow;
        for (Slot s : slots) {
            rowsTotal += s.rows();
            maxLen = Math.max(maxLen, s.cache().length() + s.rows());
        }
        slotOfRow = new int[rowsTotal];
        for (int i = 0; i < slots.size(); i++) {
            Arrays.fill(slotOfRow, slots.get(i).start(), slots.get(i).start() + slots.get(i).rows(), i);
        }
        int scoreLen = maxLen;
        pool.forRange(rowsTotal * heads, (from, to) -> {
            float[] scores = new float[scoreLen];
            for (int task = from; task < to; task++) {
                int row = task / heads;
                int h = task % heads;
                Slot s = slots.get(slotOfRow[row]);
                float[] keyCache = s.cache().keys(layer);
                float[] valueCache = s.cache().values(layer);
                int kvOff = (h / group) * hd;
                int qOff = row * qDim + h * hd;
                int len = s.cache().length() + (row - s.start()) + 1;
                for (int j = 0; j < len; j++) {
                    scores[j] = VectorMath.dot(q, qOff, keyCache, j * kvDim + kvOff, hd) * scale;
                }
                Softmax.inPlace(scores, 0, len);
                Arrays.fill(att, qOff, qOff + hd, 0f);
                for (int j = 0; j < len; j++) {
                    VectorMath.axpy(scores[j], valueCache, j * kvDim + kvOff, att, qOff, hd);
                }
            }
        });
    }

    /** Final norm and output projection of n hidden rows into logits[off…]. */
    private void project(float[] x, int n, float[] logits, int off) {
        float[] xn = new float[n * config.embd()];
        Norms.rmsNorm(x, xn, n, outputNorm, config.rmsEps());
        float[] out = off == 0 && logits.length == n * config.vocabSize() ? logits : new float[n * config.vocabSize()];
        linear(output, xn, n, out);
        if (out != logits) {
            System.arraycopy(out, 0, logits, off, out.length);
        }
    }

    private void linear(WeightMatrix w, float[] x, int n, float[] out) {
        if (n == 1) {
            w.matVec(x, out, pool);
        } else {
            w.matMul(x, n, out, pool);
        }
    }

    /** Walks the segments' positions in order, writing each position's input embedding. */
    private final class RowSource {
        private final List<Segment> segments;
        private int segment;
        private int offset;

        RowSource(List<Segment> segments) {
            this.segments = segments;
        }

        /** Writes the next n positions' input rows into x from row {@code at} on. */
        void fill(float[] x, int at, int n) {
            int d = config.embd();
            for (int r = at; r < at + n; r++) {
                while (offset >= segments.get(segment).length()) {
                    segment++;
                    offset = 0;
                }
                Segment s = segments.get(segment);
                switch (s) {
                    case Segment.Tokens t -> tokenEmbedding.dequantizeRow(t.ids()[offset], x, r * d);
                    case Segment.Embeddings e -> System.arraycopy(e.data(), offset * d, x, r * d, d);
                }
                offset++;
            }
        }
    }
}
