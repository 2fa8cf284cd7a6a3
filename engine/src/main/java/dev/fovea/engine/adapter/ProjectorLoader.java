package dev.fovea.engine.adapter;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufTensorInfo;

/** The projector of an {@code mmproj} or adapter GGUF, chosen by {@code clip.projector_type}. */
public final class ProjectorLoader {
    private ProjectorLoader() {
    }

    /** Weights stay mapped in {@code f}, which must stay open while the projector is used. */
    public static Projector load(GgufFile f) throws GgufFormatException {
        try {
            return loadKind(f);
        } catch (GgufFormatException | IllegalArgumentException e) {
            throw GgufFormatException.naming(f.path(), e);
        }
    }

    private static Projector loadKind(GgufFile f) throws GgufFormatException {
        String kind = f.getString(AdapterFormats.PROJECTOR_TYPE_KEY, MlpProjector.MLP);
        if (AdapterFormats.handles(kind)) {
            return AdapterFormats.load(f);
        }
        return switch (kind) {
            case MlpProjector.MLP -> new MlpProjector(dense(f, "mm.0"), dense(f, "mm.2"));
            case MlpProjector.LINEAR -> new MlpProjector(dense(f, "mm.0"), null);
            default -> throw new GgufFormatException(f.path().getFileName() + ": projector type '" + kind
                    + "' is not supported (mlp, linear, resampler, idefics3, fusion)");
        };
    }

    private static DenseLayer dense(GgufFile f, String name) throws GgufFormatException {
        GgufTensorInfo w = GgufTensors.matrixInfo(f, name + ".weight");
        int in = (int) w.rowLength();
        int out = (int) w.rowCount();
        return new DenseLayer(GgufTensors.matrix(f, name + ".weight", in, out), GgufTensors.optionalVector(f, name + ".bias", out));
    }
}
