package dev.fovea.engine.adapter;

import dev.fovea.engine.adapter.AdapterTensorSpec.Role;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.gguf.GgufTensorInfo;
import dev.fovea.engine.gguf.GgufWriter;
import dev.fovea.engine.layers.DenseLayer;
import dev.fovea.engine.layers.GgufTensors;
import dev.fovea.engine.layers.LayerNormWeights;
import java.util.ArrayList;
import java.util.List;

/**
 * The GGUF layout of a {@link ResamplerProjector} (docs/adapters.md). Tensor names follow llama.cpp's MiniCPM-V
 * resampler ({@code resampler.query}, {@code resampler.kv.weight}, {@code resampler.attn.q.weight}, ...);
 * the shape metadata, which llama.cpp hard-codes per model version, is Fovea's:
 * {@code clip.resampler.head_count}, {@code .query_rows}, {@code .query_cols}, {@code .layer_norm_epsilon},
 * {@code .key_positions}. The same layout with other prefixes embeds a resampler in another adapter
 * (the fusion adapter's query branch).
 *
 * @param tensorPrefix prefix of every tensor name, e.g. {@code "resampler."}
 * @param keyPrefix    prefix of every metadata key, e.g. {@code "clip.resampler."}
 */
public record ResamplerFormat(String tensorPrefix, String keyPrefix) {
    /** The stand-alone resampler adapter's layout. */
    public static final ResamplerFormat STANDALONE = new ResamplerFormat("resampler.", GgufKeys.RESAMPLER_PREFIX);
    public static final float DEFAULT_EPS = 1e-6f;

    public String headCountKey() {
        return keyPrefix + "head_count";
    }

    public String queryRowsKey() {
        return keyPrefix + "query_rows";
    }

    public String queryColsKey() {
        return keyPrefix + "query_cols";
    }

    public String epsKey() {
        return keyPrefix + "layer_norm_epsilon";
    }

    public String keyPositionsKey() {
        return keyPrefix + "key_positions";
    }

    public String tensor(String suffix) {
        return tensorPrefix + suffix;
    }

    /** Every tensor of a resampler of this shape, in file order. */
    public List<AdapterTensorSpec> tensors(ResamplerConfig c) {
        long e = c.embedDim();
        List<AdapterTensorSpec> l = new ArrayList<>();
        l.add(new AdapterTensorSpec(tensor("query"), new long[] {e, c.queries()}, Role.TABLE));
        if (c.inputDim() != c.embedDim()) {
            l.add(new AdapterTensorSpec(tensor("kv.weight"), new long[] {c.inputDim(), e}, Role.MATRIX));
        }
        for (String n : List.of("q", "kv")) {
            l.add(new AdapterTensorSpec(tensor("ln_" + n + ".weight"), new long[] {e}, Role.NORM_WEIGHT));
            l.add(new AdapterTensorSpec(tensor("ln_" + n + ".bias"), new long[] {e}, Role.NORM_BIAS));
        }
        for (String n : List.of("q", "k", "v", "out")) {
            l.add(new AdapterTensorSpec(tensor("attn." + n + ".weight"), new long[] {e, e}, Role.MATRIX));
            l.add(new AdapterTensorSpec(tensor("attn." + n + ".bias"), new long[] {e}, Role.BIAS));
        }
        l.add(new AdapterTensorSpec(tensor("ln_post.weight"), new long[] {e}, Role.NORM_WEIGHT));
        l.add(new AdapterTensorSpec(tensor("ln_post.bias"), new long[] {e}, Role.NORM_BIAS));
        l.add(new AdapterTensorSpec(tensor("proj.weight"), new long[] {e, c.outputDim()}, Role.MATRIX));
        return l;
    }

    /** Declares the shape metadata of {@code c}. */
    public void putMetadata(GgufWriter w, ResamplerConfig c) {
        w.putUint32(headCountKey(), c.heads());
        w.putUint32(queryRowsKey(), c.queryRows());
        w.putUint32(queryColsKey(), c.queryCols());
        w.putFloat32(epsKey(), c.eps());
        w.putString(keyPositionsKey(), c.keyPositions().key());
    }

    /** Reads the configuration; dims come from the tensor shapes, the rest from metadata. */
    public ResamplerConfig readConfig(GgufFile f) throws GgufFormatException {
        int heads = GgufTensors.requirePositive(f, headCountKey());
        int rows = GgufTensors.requirePositive(f, queryRowsKey());
        int cols = GgufTensors.requirePositive(f, queryColsKey());
        float eps = f.getFloat(epsKey(), DEFAULT_EPS);
        GgufTensorInfo query = GgufTensors.matrixInfo(f, tensor("query"));
        int e = (int) query.rowLength();
        if (query.rowCount() != (long) rows * cols) {
            throw new GgufFormatException(f.path().getFileName() + ": " + tensor("query") + " holds " + query.rowCount()
                    + " queries but the metadata says " + rows + "×" + cols);
        }
        int inputDim = f.hasTensor(tensor("kv.weight"))
                ? (int) GgufTensors.matrixInfo(f, tensor("kv.weight")).rowLength() : e;
        GgufTensorInfo proj = GgufTensors.matrixInfo(f, tensor("proj.weight"));
        try {
            return new ResamplerConfig(inputDim, e, (int) proj.rowCount(), heads, rows, cols, eps,
                    ResamplerConfig.KeyPositions.fromKey(f.getString(keyPositionsKey(),
                            ResamplerConfig.KeyPositions.INTERPOLATE.key())));
        } catch (IllegalArgumentException ex) {
            throw new GgufFormatException(f.path().getFileName() + ": bad resampler: " + ex.getMessage());
        }
    }

    /** Loads the resampler; its weights stay memory-mapped in {@code f}, which must stay open. */
    public ResamplerProjector load(GgufFile f) throws GgufFormatException {
        return load(f, readConfig(f));
    }

    /** Loads the resampler's tensors for a configuration decided elsewhere (MiniCPM-V's, by version). */
    ResamplerProjector load(GgufFile f, ResamplerConfig c) throws GgufFormatException {
        int e = c.embedDim();
        float[] query = GgufTensors.rowTable(f, GgufTensors.matrixInfo(f, tensor("query"))).dequantize();
        DenseLayer kv = c.inputDim() == e ? null
                : new DenseLayer(GgufTensors.matrix(f, tensor("kv.weight"), c.inputDim(), e), null);
        var weights = new ResamplerProjector.Weights(query, kv, norm(f, "ln_q", c), norm(f, "ln_kv", c),
                attn(f, "q", e), attn(f, "k", e), attn(f, "v", e), attn(f, "out", e), norm(f, "ln_post", c),
                GgufTensors.dense(f, tensor("proj"), e, c.outputDim()));
        try {
            return new ResamplerProjector(c, weights);
        } catch (IllegalArgumentException ex) {
            throw new GgufFormatException(f.path().getFileName() + ": bad resampler: " + ex.getMessage());
        }
    }

    private LayerNormWeights norm(GgufFile f, String name, ResamplerConfig c) throws GgufFormatException {
        return GgufTensors.layerNorm(f, tensor(name), c.embedDim(), c.eps());
    }

    private DenseLayer attn(GgufFile f, String name, int e) throws GgufFormatException {
        return GgufTensors.dense(f, tensor("attn." + name), e, e);
    }
}
