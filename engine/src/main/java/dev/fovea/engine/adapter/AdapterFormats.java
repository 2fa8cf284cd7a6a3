package dev.fovea.engine.adapter;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import java.util.Set;

/**
 * Loads the adapters of this package's extra kinds ({@code resampler}, {@code idefics3}, {@code fusion}) from a
 * GGUF file by its {@code clip.projector_type}; a general projector loader delegates these kinds here.
 */
public final class AdapterFormats {
    /** llama.cpp's key naming the projector kind. */
    public static final String PROJECTOR_TYPE_KEY = "clip.projector_type";
    public static final Set<String> KINDS = Set.of(ResamplerProjector.KIND, PixelShuffleProjector.KIND, FusionProjector.KIND);

    private AdapterFormats() {
    }

    public static boolean handles(String kind) {
        return KINDS.contains(kind);
    }

    /** The projector of the file's kind; its weights stay mapped in {@code f}, which must stay open. */
    public static Projector load(GgufFile f) throws GgufFormatException {
        String kind = f.getString(PROJECTOR_TYPE_KEY, null);
        if (kind == null) {
            throw new GgufFormatException(f.path().getFileName() + ": missing metadata '" + PROJECTOR_TYPE_KEY + "'");
        }
        return switch (kind) {
            case ResamplerProjector.KIND -> ResamplerFormat.STANDALONE.load(f);
            case PixelShuffleProjector.KIND -> PixelShuffleFormat.load(f);
            case FusionProjector.KIND -> FusionFormat.load(f);
            default -> throw new GgufFormatException(f.path().getFileName() + ": projector type '" + kind
                    + "' is not one of " + KINDS);
        };
    }
}
