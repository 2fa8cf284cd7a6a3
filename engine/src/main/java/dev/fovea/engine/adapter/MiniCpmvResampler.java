package dev.fovea.engine.adapter;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.gguf.GgufTensorInfo;
import dev.fovea.engine.layers.GgufTensors;

/**
 * MiniCPM-V 2.5 / 2.6's resampler as llama.cpp (build 4748) reads it from a file its MiniCPM-V converter wrote
 * ({@code clip.projector_type = resampler}, {@code clip.has_minicpmv_projector = true}): the tensors are the
 * {@link ResamplerFormat#STANDALONE} layout's, but the shape is not in the metadata: llama.cpp fixes it by
 * {@code clip.minicpmv_version} (2: width 4096, 96 queries; 3: width 3584, 64 queries; heads of 128 channels;
 * the output width is the resampler's). Queries carry no positions; keys get the 2-D sin-cos table computed at
 * the slice's patch grid ({@link ResamplerConfig.KeyPositions#DIRECT}); the three LayerNorms use the tower's
 * epsilon; {@code resampler.pos_embed_k} (the converter's 70 × 70 table) is not read, as llama.cpp does not use it.
 */
final class MiniCpmvResampler {
    /** llama.cpp's d_head for the resampler's attention. */
    static final int HEAD_DIM = 128;

    private MiniCpmvResampler() {
    }

    /** (width, queries) of a version, or null when the version is not supported. */
    static int[] shape(int version) {
        return switch (version) {
            case 2 -> new int[] {4096, 96};
            case 3 -> new int[] {3584, 64};
            default -> null;
        };
    }

    static ResamplerProjector load(GgufFile f) throws GgufFormatException {
        String file = f.path().getFileName().toString();
        // llama.cpp's default when the key is absent
        int version = f.getInt(GgufKeys.MINICPMV_VERSION, 2);
        int[] shape = shape(version);
        if (shape == null) {
            throw new GgufFormatException(file + ": " + GgufKeys.MINICPMV_VERSION + " " + version + " is not supported"
                    + " (2 = MiniCPM-V 2.5, 3 = MiniCPM-V 2.6; 1 = MiniCPM-V 2 and 4 = MiniCPM-o 2.6 are not)");
        }
        int width = shape[0];
        int queries = shape[1];
        ResamplerFormat format = ResamplerFormat.STANDALONE;
        GgufTensorInfo query = GgufTensors.matrixInfo(f, format.tensor("query"));
        if (query.rowLength() != width || query.rowCount() != queries) {
            throw new GgufFormatException(file + ": " + format.tensor("query") + " is " + query.rowCount() + " queries of "
                    + query.rowLength() + " but MiniCPM-V version " + version + " has " + queries + " of " + width);
        }
        if (!f.hasTensor(format.tensor("kv.weight"))) {
            throw new GgufFormatException(file + ": MiniCPM-V's resampler needs tensor '" + format.tensor("kv.weight") + "'");
        }
        GgufTensorInfo kv = GgufTensors.matrixInfo(f, format.tensor("kv.weight"));
        int inputDim = (int) kv.rowLength();
        if (inputDim == width) {
            throw new GgufFormatException(file + ": a tower as wide as the resampler (" + width + ") is not supported");
        }
        GgufTensorInfo proj = GgufTensors.matrixInfo(f, format.tensor("proj.weight"));
        if (proj.rowLength() != width || proj.rowCount() != width) {
            // llama.cpp sizes the image embeddings by the version's width
            throw new GgufFormatException(file + ": " + format.tensor("proj.weight") + " maps " + proj.rowLength()
                    + " to " + proj.rowCount() + " but MiniCPM-V version " + version + " maps " + width + " to " + width);
        }
        float eps = f.getFloat(GgufKeys.VISION_LAYER_NORM_EPSILON, 1e-5f);
        ResamplerConfig c;
        try {
            c = new ResamplerConfig(inputDim, width, width, width / HEAD_DIM, 1, queries, eps,
                    ResamplerConfig.KeyPositions.DIRECT, false);
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException(file + ": bad MiniCPM-V resampler: " + e.getMessage());
        }
        return format.load(f, c);
    }
}
