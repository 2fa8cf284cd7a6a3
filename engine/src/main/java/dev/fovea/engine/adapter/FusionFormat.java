package dev.fovea.engine.adapter;

import dev.fovea.engine.adapter.AdapterTensorSpec.Role;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.gguf.GgufTensorInfo;
import dev.fovea.engine.gguf.GgufValueType;
import dev.fovea.engine.gguf.GgufWriter;
import dev.fovea.engine.layers.DenseLayer;
import dev.fovea.engine.layers.GgufTensors;
import dev.fovea.engine.layers.LayerNormWeights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fovea's GGUF layout of a {@link FusionProjector} (docs/adapters.md): {@code clip.projector_type = fusion};
 * metadata {@code clip.fusion.input_dims} (INT32 array), {@code clip.fusion.grid_rows}, {@code clip.fusion.grid_cols},
 * {@code clip.fusion.layer_norm_epsilon}, {@code clip.fusion.query_branch_input} (absent or −1: none); tensors
 * {@code fusion.fc.weight} [Σ input_dims, n_embd], {@code fusion.fc.bias}, {@code fusion.ln.weight},
 * {@code fusion.ln.bias}; the query branch is a resampler under the tensor prefix {@code fusion.resampler.} and key
 * prefix {@code clip.fusion.resampler.}.
 */
public final class FusionFormat {
    public static final String FC_WEIGHT = "fusion.fc.weight";
    public static final String FC_BIAS = "fusion.fc.bias";
    public static final String LN_WEIGHT = "fusion.ln.weight";
    public static final String LN_BIAS = "fusion.ln.bias";
    public static final ResamplerFormat QUERY_BRANCH = new ResamplerFormat("fusion.resampler.", GgufKeys.FUSION_RESAMPLER_PREFIX);
    public static final float DEFAULT_EPS = 1e-5f;

    private FusionFormat() {
    }

    /** Every tensor, in file order; {@code branch} is the query branch's shape (null when there is none). */
    public static List<AdapterTensorSpec> tensors(FusionConfig c, ResamplerConfig branch) {
        List<AdapterTensorSpec> l = new ArrayList<>();
        l.add(new AdapterTensorSpec(FC_WEIGHT, new long[] {c.concatDim(), c.outputDim()}, Role.MATRIX));
        l.add(new AdapterTensorSpec(FC_BIAS, new long[] {c.outputDim()}, Role.BIAS));
        l.add(new AdapterTensorSpec(LN_WEIGHT, new long[] {c.outputDim()}, Role.NORM_WEIGHT));
        l.add(new AdapterTensorSpec(LN_BIAS, new long[] {c.outputDim()}, Role.NORM_BIAS));
        if (branch != null) {
            l.addAll(QUERY_BRANCH.tensors(branch));
        }
        return l;
    }

    public static void putMetadata(GgufWriter w, FusionConfig c, ResamplerConfig branch) {
        w.putArray(GgufKeys.FUSION_INPUT_DIMS, GgufValueType.INT32, c.inputDims().stream().mapToInt(Integer::intValue).toArray());
        w.putUint32(GgufKeys.FUSION_GRID_ROWS, c.gridRows());
        w.putUint32(GgufKeys.FUSION_GRID_COLS, c.gridCols());
        w.putFloat32(GgufKeys.FUSION_LAYER_NORM_EPSILON, c.eps());
        w.putInt32(GgufKeys.FUSION_QUERY_BRANCH_INPUT, c.queryBranchInput());
        if (branch != null) {
            QUERY_BRANCH.putMetadata(w, branch);
        }
    }

    public static FusionProjector load(GgufFile f) throws GgufFormatException {
        String file = f.path().getFileName().toString();
        int[] dims = f.getIntArray(GgufKeys.FUSION_INPUT_DIMS);
        if (dims == null) {
            throw new GgufFormatException(file + ": missing metadata '" + GgufKeys.FUSION_INPUT_DIMS + "'");
        }
        FusionConfig c;
        try {
            c = new FusionConfig(Arrays.stream(dims).boxed().toList(), GgufTensors.requirePositive(f, GgufKeys.FUSION_GRID_ROWS),
                    GgufTensors.requirePositive(f, GgufKeys.FUSION_GRID_COLS), outputDim(f), f.getFloat(GgufKeys.FUSION_LAYER_NORM_EPSILON, DEFAULT_EPS),
                    f.getInt(GgufKeys.FUSION_QUERY_BRANCH_INPUT, -1));
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException(file + ": bad fusion adapter: " + e.getMessage());
        }
        DenseLayer fc = new DenseLayer(GgufTensors.matrix(f, FC_WEIGHT, c.concatDim(), c.outputDim()),
                GgufTensors.optionalVector(f, FC_BIAS, c.outputDim()));
        LayerNormWeights ln = new LayerNormWeights(GgufTensors.vector(f, LN_WEIGHT, c.outputDim()),
                GgufTensors.optionalVector(f, LN_BIAS, c.outputDim()), c.eps());
        ResamplerProjector branch = c.hasQueryBranch() ? QUERY_BRANCH.load(f) : null;
        try {
            return new FusionProjector(c, fc, ln, branch);
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException(file + ": bad fusion adapter: " + e.getMessage());
        }
    }

    private static int outputDim(GgufFile f) throws GgufFormatException {
        GgufTensorInfo fc = GgufTensors.matrixInfo(f, FC_WEIGHT);
        return (int) fc.rowCount();
    }
}
