package dev.fovea.engine.adapter;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.layers.DenseLayer;
import dev.fovea.engine.layers.GgufTensors;
import dev.fovea.engine.tensor.WeightMatrix;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every projector kind the engine loads, keyed by {@code clip.projector_type}: adding a kind is one entry here and
 * its format class (docs/contributing.md). A file without the key is LLaVA's {@code mlp}, as llama.cpp reads it.
 */
public final class ProjectorRegistry {
    /** Reads one kind's projector from a GGUF file whose weights stay mapped (the file must stay open). */
    @FunctionalInterface
    interface Format {
        Projector load(GgufFile f) throws GgufFormatException;
    }

    private static final Map<String, Format> FORMATS = new LinkedHashMap<>();

    static {
        // an mlp file with mm.3 is LLaVA-1.6 34B's mlp_norm (llama.cpp tells them apart the same way)
        FORMATS.put(MlpProjector.MLP, f -> f.hasTensor("mm.3.weight") ? mlpNorm(f)
                : new MlpProjector(GgufTensors.dense(f, "mm.0"), GgufTensors.dense(f, "mm.2")));
        FORMATS.put(MlpNormProjector.KIND, ProjectorRegistry::mlpNorm);
        FORMATS.put(LdpProjector.KIND, ProjectorRegistry::ldp);
        FORMATS.put(LdpV2Projector.KIND, ProjectorRegistry::ldpV2);
        FORMATS.put(MlpProjector.LINEAR, f -> new MlpProjector(GgufTensors.dense(f, "mm.0"), null));
        // MiniCPM-V's files (llama.cpp's converter) say so and fix the shape by version; Fovea's own carry it
        FORMATS.put(ResamplerProjector.KIND, f -> f.getBool(GgufKeys.HAS_MINICPMV_PROJECTOR, false)
                ? MiniCpmvResampler.load(f) : ResamplerFormat.STANDALONE.load(f));
        FORMATS.put(PixelShuffleProjector.KIND, PixelShuffleFormat::load);
        FORMATS.put(FusionProjector.KIND, FusionFormat::load);
        FORMATS.put(Qwen2VlMerger.KIND, f -> new Qwen2VlMerger(GgufTensors.dense(f, "mm.0"), GgufTensors.dense(f, "mm.2")));
    }

    private ProjectorRegistry() {
    }

    private static Projector ldp(GgufFile f) throws GgufFormatException {
        DenseLayer second = GgufTensors.dense(f, "mm.model.mlp.3");
        float eps = f.getFloat(GgufKeys.VISION_LAYER_NORM_EPSILON, 1e-5f);
        return new LdpProjector(new MlpProjector(GgufTensors.dense(f, "mm.model.mlp.1"), second),
                ldpBlock(f, 1, second.outputDim(), eps, 1, true), ldpBlock(f, 2, second.outputDim(), eps, 2, false));
    }

    private static LdpProjector.Block ldpBlock(GgufFile f, int index, int c, float eps, int stride, boolean residual)
            throws GgufFormatException {
        String p = "mm.model.mb_block." + index + ".block.";
        // the pointwise layer as converters write it, [c, c] or a [1, 1, c, c] convolution kernel: same order
        WeightMatrix pointwise = GgufTensors.flattened(f, f.tensor(p + "2.0.weight"), c, c);
        return new LdpProjector.Block(depthwiseKernel(f, p + "0.0.weight", c), GgufTensors.layerNorm(f, p + "0.1", c, eps),
                GgufTensors.dense(f, p + "1.fc1"), GgufTensors.dense(f, p + "1.fc2"), new DenseLayer(pointwise, null),
                GgufTensors.layerNorm(f, p + "2.1", c, eps), stride, residual);
    }

    /** A depthwise 3×3 kernel {@code [3, 3, c, 1]}: channel c's nine weights, kx fastest. */
    private static float[] depthwiseKernel(GgufFile f, String name, int c) throws GgufFormatException {
        return GgufTensors.flattened(f, f.tensor(name), 9, c).dequantize();
    }

    private static Projector ldpV2(GgufFile f) throws GgufFormatException {
        DenseLayer second = GgufTensors.dense(f, "mm.model.mlp.2");
        int c = second.outputDim();
        return new LdpV2Projector(new MlpProjector(GgufTensors.dense(f, "mm.model.mlp.0"), second),
                depthwiseKernel(f, "mm.model.peg.0.weight", c),
                GgufTensors.vector(f, "mm.model.peg.0.bias", c));
    }

    private static Projector mlpNorm(GgufFile f) throws GgufFormatException {
        float eps = f.getFloat(GgufKeys.VISION_LAYER_NORM_EPSILON, 1e-5f);
        return new MlpNormProjector(GgufTensors.dense(f, "mm.0"), GgufTensors.layerNorm(f, "mm.1", eps),
                GgufTensors.dense(f, "mm.3"), GgufTensors.layerNorm(f, "mm.4", eps));
    }

    /** The kinds this engine loads, in the order they were added. */
    public static Set<String> kinds() {
        return Collections.unmodifiableSet(FORMATS.keySet());
    }

    /** The projector of the file's kind; its weights stay mapped in {@code f}, which must stay open. */
    public static Projector load(GgufFile f) throws GgufFormatException {
        String kind = f.getString(GgufKeys.PROJECTOR_TYPE, MlpProjector.MLP);
        Format format = FORMATS.get(kind);
        if (format == null) {
            throw new GgufFormatException(f.path().getFileName() + ": projector type '" + kind
                    + "' is not supported (" + String.join(", ", kinds()) + ")");
        }
        try {
            return format.load(f);
        } catch (GgufFormatException | IllegalArgumentException e) {
            throw GgufFormatException.naming(f.path(), e);
        }
    }
}
