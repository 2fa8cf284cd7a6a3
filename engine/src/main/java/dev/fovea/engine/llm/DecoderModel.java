package dev.fovea.engine.llm;

import dev.fovea.engine.Progress;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufTensorInfo;
import dev.fovea.engine.layers.GgufTensors;
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
    /** phi2's output LayerNorm bias, else null (RMSNorm). */
    private final float[] outputNormBias;
    private final WeightMatrix output;
    private final float[] outputBias;
    private final Rope rope;
    private final Parallel pool;

    private DecoderModel(LlmConfig config, WeightMatrix tokenEmbedding, LayerWeights[] layers, float[] outputNorm,
                         float[] outputNormBias, WeightMatrix output, float[] outputBias, float[] ropeFreqs,
                         Parallel pool) {
        this.config = config;
        this.tokenEmbedding = tokenEmbedding;
        this.layers = layers;
        this.outputNorm = outputNorm;
        this.outputNormBias = outputNormBias;
        this.output = output;
        this.outputBias = outputBias;
        this.rope = new Rope(config.ropeDims(), config.ropeBase(), config.ropeNeox(), ropeFreqs);
        this.pool = pool;
    }

    /** Loads an LLM GGUF of one of {@link LlmArchitectures#names()}; the file must stay open while the model is used. */
    public static DecoderModel load(GgufFile f, Parallel pool, Progress progress) throws GgufFormatException {
        GgufTensorInfo embInfo = f.tensor("token_embd.weight");
        // with an output matrix of its own, the embedding only serves row lookups: no repacked copy for products
        boolean tied = !f.hasTensor("output.weight");
        WeightMatrix emb = tied ? GgufTensors.weights(f, embInfo) : GgufTensors.rowTable(f, embInfo);
        LlmConfig cfg = LlmConfig.fromGguf(f, emb.rows());
        for (String factors : new String[] {"rope_factors_long.weight", "rope_factors_short.weight"}) {
            if (f.hasTensor(factors)) {
                // LongRoPE (Phi-3 128k files) rescales every rotary frequency: running without it would be wrong
                throw new GgufFormatException(f.path().getFileName() + ": has '" + factors
                        + "' (LongRoPE frequency factors), which the engine does not support");
            }
        }
        if (emb.cols() != cfg.embd()) {
            throw new GgufFormatException("token_embd.weight width " + emb.cols() + " != embedding_length " + cfg.embd());
        }
        boolean phi = LlmArchitectures.of(f).phiBlock();
        LayerWeights[] layers = new LayerWeights[cfg.blockCount()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = layer(f, cfg, "blk." + i + ".", phi);
            progress.update("load", i + 1, layers.length);
        }
        float[] outNorm = GgufTensors.vector(f, "output_norm.weight", cfg.embd());
        float[] outNormBias = phi ? GgufTensors.vector(f, "output_norm.bias", cfg.embd()) : null;
        WeightMatrix out = tied ? emb : GgufTensors.matrix(f, "output.weight", cfg.embd(), cfg.vocabSize());
        float[] outBias = GgufTensors.optionalVector(f, "output.bias", cfg.vocabSize());
        // Llama 3.1/3.2's frequency factors (llama.cpp's rope_freqs), divided into each rotary pair's angle
        float[] ropeFreqs = GgufTensors.optionalVector(f, "rope_freqs.weight", cfg.ropeDims() / 2);
        return new DecoderModel(cfg, emb, layers, outNorm, outNormBias, out, outBias, ropeFreqs, pool);
    }

    private static LayerWeights layer(GgufFile f, LlmConfig cfg, String p, boolean phi) throws GgufFormatException {
        int d = cfg.embd();
        int qDim = cfg.headCount() * cfg.headDim();
        int kv = cfg.kvDim();
        int ff = cfg.ffnLength();
        // phi2 and phi3 files may stack Q, K and V in one attn_qkv (and its bias), phi3 the gate and up projections
        // in one ffn_up (gate rows first, as llama.cpp's SwiGLU split reads them): each part becomes its own matrix
        String qkv = p + "attn_qkv.weight";
        boolean fusedQkv = f.hasTensor(qkv);
        int qkvRows = qDim + 2 * kv;
        WeightMatrix wq;
        WeightMatrix wk;
        WeightMatrix wv;
        float[] bq;
        float[] bk;
        float[] bv;
        if (fusedQkv) {
            wq = GgufTensors.matrixRows(f, qkv, d, qkvRows, 0, qDim);
            wk = GgufTensors.matrixRows(f, qkv, d, qkvRows, qDim, kv);
            wv = GgufTensors.matrixRows(f, qkv, d, qkvRows, qDim + kv, kv);
            float[] b = GgufTensors.optionalVector(f, p + "attn_qkv.bias", qkvRows);
            bq = b == null ? null : Arrays.copyOfRange(b, 0, qDim);
            bk = b == null ? null : Arrays.copyOfRange(b, qDim, qDim + kv);
            bv = b == null ? null : Arrays.copyOfRange(b, qDim + kv, qkvRows);
        } else {
            wq = GgufTensors.matrix(f, p + "attn_q.weight", d, qDim);
            wk = GgufTensors.matrix(f, p + "attn_k.weight", d, kv);
            wv = GgufTensors.matrix(f, p + "attn_v.weight", d, kv);
            bq = GgufTensors.optionalVector(f, p + "attn_q.bias", qDim);
            bk = GgufTensors.optionalVector(f, p + "attn_k.bias", kv);
            bv = GgufTensors.optionalVector(f, p + "attn_v.bias", kv);
        }
        WeightMatrix wo = GgufTensors.matrix(f, p + "attn_output.weight", qDim, d);
        WeightMatrix down = GgufTensors.matrix(f, p + "ffn_down.weight", ff, d);
        if (phi) {
            return new LayerWeights(GgufTensors.vector(f, p + "attn_norm.weight", d),
                    GgufTensors.vector(f, p + "attn_norm.bias", d), wq, wk, wv, bq, bk, bv, wo,
                    GgufTensors.optionalVector(f, p + "attn_output.bias", d), null, null,
                    GgufTensors.matrix(f, p + "ffn_up.weight", d, ff), GgufTensors.optionalVector(f, p + "ffn_up.bias", ff),
                    down, GgufTensors.optionalVector(f, p + "ffn_down.bias", d));
        }
        boolean fusedUp = !f.hasTensor(p + "ffn_gate.weight");
        return new LayerWeights(GgufTensors.vector(f, p + "attn_norm.weight", d), null, wq, wk, wv, bq, bk, bv, wo,
                null, GgufTensors.vector(f, p + "ffn_norm.weight", d),
                fusedUp ? GgufTensors.matrixRows(f, p + "ffn_up.weight", d, 2 * ff, 0, ff)
                        : GgufTensors.matrix(f, p + "ffn_gate.weight", d, ff),
                fusedUp ? GgufTensors.matrixRows(f, p + "ffn_up.weight", d, 2 * ff, ff, ff)
                        : GgufTensors.matrix(f, p + "ffn_up.weight", d, ff),
                null, down, null);
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
        int[] positions = positions(cache, segments, total);
        int done = 0;
        while (done < total) {
            int n = ubatchEnd(segments, done, Math.min(MAX_UBATCH, total - done)) - done;
            float[] x = new float[n * config.embd()];
            rows.fill(x, 0, n);
            forwardRows(List.of(new Slot(cache, 0, n, positions, done)), x, n);
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
     * A text embedding of {@code segments}: the final hidden states (after the output norm, as the logits see them)
     * of every position, averaged and scaled to unit length, as llama.cpp's embedding path does with mean pooling
     * and Euclidean normalization. Runs in a cache of its own, discarded after.
     */
    public float[] meanHiddenState(List<Segment> segments) {
        int total = segments.stream().mapToInt(Segment::length).sum();
        KvCache cache = newCache(Math.max(1, total));
        total = checkInput(cache, segments);
        int d = config.embd();
        double[] sum = new double[d];
        RowSource rows = new RowSource(segments);
        int[] positions = positions(cache, segments, total);
        int done = 0;
        while (done < total) {
            int n = ubatchEnd(segments, done, Math.min(MAX_UBATCH, total - done)) - done;
            float[] x = new float[n * d];
            rows.fill(x, 0, n);
            forwardRows(List.of(new Slot(cache, 0, n, positions, done)), x, n);
            float[] xn = new float[n * d];
            if (outputNormBias != null) {
                Norms.layerNorm(x, xn, n, outputNorm, outputNormBias, config.rmsEps());
            } else {
                Norms.rmsNorm(x, xn, n, outputNorm, config.rmsEps());
            }
            for (int r = 0; r < n; r++) {
                for (int i = 0; i < d; i++) {
                    sum[i] += xn[r * d + i];
                }
            }
            done += n;
        }
        double norm = 0;
        for (double v : sum) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        float[] out = new float[d];
        for (int i = 0; i < d; i++) {
            out[i] = norm == 0 ? 0f : (float) (sum[i] / norm);
        }
        return out;
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
            slots.add(new Slot(caches.get(i), start, counts[i], positions(caches.get(i), inputs.get(i), counts[i]), 0));
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

    /**
     * Rows [start, start + rows) of a batch belong to the sequence of {@code cache}, at its next positions. With
     * multi-section rotary, {@code positions} holds each row's (t, h, w, e, following text position) from row
     * {@code posOff} on ({@link #positions}); null otherwise.
     */
    private record Slot(KvCache cache, int start, int rows, int[] positions, int posOff) {
    }

    private static final int POSITION_FIELDS = 5;

    /**
     * The positions of {@code total} new rows after what {@code cache} holds, for a multi-section (M-RoPE) model:
     * a text row (p, p, p, 0) with p growing by one; a gridded image's row at (gy, gx) of its grid
     * (p₀, p₀ + gy, p₀ + gx, 0), all sharing the temporal position p₀, and the text after it going on at
     * p₀ + max(grid height, grid width). Null for single-stream models, whose position is the row's index.
     */
    private int[] positions(KvCache cache, List<Segment> segments, int total) {
        if (config.ropeSections() == null) {
            return null;
        }
        int[] out = new int[total * POSITION_FIELDS];
        int p = cache.nextPosition();
        int r = 0;
        for (Segment s : segments) {
            if (s instanceof Segment.Embeddings e && e.gridded()) {
                int next = p + Math.max(e.gridHeight(), e.gridWidth());
                for (int i = 0; i < e.count(); i++, r++) {
                    int o = r * POSITION_FIELDS;
                    out[o] = p;
                    out[o + 1] = p + i / e.gridWidth();
                    out[o + 2] = p + i % e.gridWidth();
                    out[o + 4] = next;
                }
                p = next;
            } else {
                for (int i = 0; i < s.length(); i++, r++) {
                    int o = r * POSITION_FIELDS;
                    out[o] = p;
                    out[o + 1] = p;
                    out[o + 2] = p;
                    out[o + 4] = ++p;
                }
            }
        }
        return out;
    }

    /**
     * Where a micro-batch from row {@code from} of {@code want} rows ends: a gridded image is never cut, since its
     * rows attend to each other in both directions and so must be in the cache together.
     */
    private int ubatchEnd(List<Segment> segments, int from, int want) {
        int end = from + want;
        if (config.ropeSections() == null) {
            return end;
        }
        int at = 0;
        for (Segment s : segments) {
            int segEnd = at + s.length();
            if (s instanceof Segment.Embeddings e && e.gridded() && at < end && end < segEnd) {
                return at > from ? at : segEnd;
            }
            at = segEnd;
        }
        return end;
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
        // phi2's MLP output, added to the attention's before the residual (its block has no gate)
        float[] mlp = layers[0].ffnNorm() == null ? new float[n * d] : null;
        float[] cos = new float[rope.dims() / 2];
        float[] sin = new float[rope.dims() / 2];
        int[] visible = visibleKeys(slots, n);
        for (int l = 0; l < layers.length; l++) {
            LayerWeights w = layers[l];
            boolean phi = w.ffnNorm() == null;
            if (phi) {
                Norms.layerNorm(x, xn, n, w.attnNorm(), w.attnNormBias(), config.rmsEps());
            } else {
                Norms.rmsNorm(x, xn, n, w.attnNorm(), config.rmsEps());
            }
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
                    if (s.positions() == null) {
                        rope.apply(q, row * qDim, config.headCount(), config.headDim(), pos0 + r, cos, sin);
                        rope.apply(k, row * kvDim, config.headCountKv(), config.headDim(), pos0 + r, cos, sin);
                    } else {
                        int po = (s.posOff() + r) * POSITION_FIELDS;
                        rope.applySections(q, row * qDim, config.headCount(), config.headDim(), s.positions(), po,
                                config.ropeSections(), cos, sin);
                        rope.applySections(k, row * kvDim, config.headCountKv(), config.headDim(), s.positions(), po,
                                config.ropeSections(), cos, sin);
                    }
                }
                System.arraycopy(k, s.start() * kvDim, s.cache().keys(l), pos0 * kvDim, s.rows() * kvDim);
                System.arraycopy(v, s.start() * kvDim, s.cache().values(l), pos0 * kvDim, s.rows() * kvDim);
            }
            attend(slots, q, att, l, visible);
            linear(w.wo(), att, n, proj);
            if (phi) {
                // phi2: the MLP reads the same norm output; attention and MLP outputs are summed, then added to
                // the residual (llama.cpp's order of the two additions)
                addBias(proj, n, w.bo());
                linear(w.wUp(), xn, n, up);
                addBias(up, n, w.bUp());
                Activations.geluInPlace(up, n * ff, false, pool);
                linear(w.wDown(), up, n, mlp);
                addBias(mlp, n, w.bDown());
                VectorMath.addInPlace(proj, mlp);
                VectorMath.addInPlace(x, proj);
                continue;
            }
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

    /**
     * Records each new row's positions in its cache and returns how many cache entries each row's query sees: those
     * up to itself (causal), and with multi-section positions also the later rows of the same temporal position
     * (an image's rows see each other in both directions, as llama.cpp's mask compares temporal positions).
     */
    private static int[] visibleKeys(List<Slot> slots, int n) {
        int[] visible = new int[n];
        for (Slot s : slots) {
            KvCache c = s.cache();
            int len0 = c.length();
            if (s.positions() == null) {
                // one position stream: the entry's index is its position, causal by sequence
                for (int r = 0; r < s.rows(); r++) {
                    visible[s.start() + r] = len0 + r + 1;
                }
                continue;
            }
            for (int r = 0; r < s.rows(); r++) {
                int po = (s.posOff() + r) * POSITION_FIELDS;
                c.setPositions(len0 + r, s.positions()[po], s.positions()[po + 4]);
            }
            for (int r = 0; r < s.rows(); r++) {
                int v = len0 + r + 1;
                int t = c.temporal(len0 + r);
                while (v < len0 + s.rows() && c.temporal(v) <= t) {
                    v++;
                }
                visible[s.start() + r] = v;
            }
        }
        return visible;
    }

    /** Attention of every slot's new rows over its own cache ({@link #visibleKeys}), one task per (row, head). */
    private void attend(List<Slot> slots, float[] q, float[] att, int layer, int[] visible) {
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
                int len = visible[row];
                int j = 0;
                for (; j + 4 <= len; j += 4) {
                    VectorMath.dots4(q, qOff, keyCache, j * kvDim + kvOff, kvDim, hd, scale, scores, j);
                }
                for (; j < len; j++) {
                    scores[j] = VectorMath.dot(q, qOff, keyCache, j * kvDim + kvOff, hd) * scale;
                }
                Softmax.inPlace(scores, 0, len);
                Arrays.fill(att, qOff, qOff + hd, 0f);
                VectorMath.weightedSum(scores, 0, len, valueCache, kvOff, kvDim, att, qOff, hd);
            }
        });
    }

    /** Final norm and output projection of n hidden rows into logits[off…]. */
    private void project(float[] x, int n, float[] logits, int off) {
        float[] xn = new float[n * config.embd()];
        if (outputNormBias != null) {
            Norms.layerNorm(x, xn, n, outputNorm, outputNormBias, config.rmsEps());
        } else {
            Norms.rmsNorm(x, xn, n, outputNorm, config.rmsEps());
        }
        float[] out = off == 0 && logits.length == n * config.vocabSize() ? logits : new float[n * config.vocabSize()];
        linear(output, xn, n, out);
        if (outputBias != null) {
            VectorMath.addBias(out, n, outputBias);
        }
        if (out != logits) {
            System.arraycopy(out, 0, logits, off, out.length);
        }
    }

    private static void addBias(float[] x, int n, float[] bias) {
        if (bias != null) {
            VectorMath.addBias(x, n, bias);
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
