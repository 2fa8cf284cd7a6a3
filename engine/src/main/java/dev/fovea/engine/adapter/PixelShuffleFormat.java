package dev.fovea.engine.adapter;

import dev.fovea.engine.adapter.AdapterTensorSpec.Role;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.gguf.GgufTensorInfo;
import dev.fovea.engine.gguf.GgufWriter;
import dev.fovea.engine.layers.DenseLayer;
import dev.fovea.engine.layers.GgufTensors;
import java.util.List;

/**
 * llama.cpp's GGUF layout of the Idefics3 connector: {@code clip.projector_type = idefics3}, the scale in
 * {@code clip.vision.projector.scale_factor} and the projection in {@code mm.model.fc.weight}
 * (shape [inputDim·r², outputDim]).
 */
public final class PixelShuffleFormat {
    public static final String FC_WEIGHT = "mm.model.fc.weight";

    private PixelShuffleFormat() {
    }

    public static List<AdapterTensorSpec> tensors(int inputDim, int scale, int outputDim) {
        return List.of(new AdapterTensorSpec(FC_WEIGHT, new long[] {(long) inputDim * scale * scale, outputDim},
                Role.MATRIX));
    }

    public static void putMetadata(GgufWriter w, int scale) {
        w.putUint32(GgufKeys.VISION_PROJECTOR_SCALE_FACTOR, scale);
    }

    public static PixelShuffleProjector load(GgufFile f) throws GgufFormatException {
        int scale = GgufTensors.requirePositive(f, GgufKeys.VISION_PROJECTOR_SCALE_FACTOR);
        GgufTensorInfo fc = GgufTensors.matrixInfo(f, FC_WEIGHT);
        long cols = fc.rowLength();
        if (cols % ((long) scale * scale) != 0) {
            throw new GgufFormatException(f.path().getFileName() + ": " + FC_WEIGHT + " input width " + cols
                    + " is not a multiple of scale² = " + scale * scale);
        }
        if (cols / scale / scale == 0) {
            throw new GgufFormatException(f.path().getFileName() + ": " + FC_WEIGHT + " input width " + cols
                    + " is smaller than scale² = " + (long) scale * scale);
        }
        return new PixelShuffleProjector(scale, new DenseLayer(
                GgufTensors.matrix(f, FC_WEIGHT, (int) cols, (int) fc.rowCount()), null));
    }
}
