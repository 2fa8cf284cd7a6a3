package dev.fovea.engine.synth;

import dev.fovea.engine.adapter.AdapterTensorSpec;
import dev.fovea.engine.adapter.FusionConfig;
import dev.fovea.engine.adapter.FusionFormat;
import dev.fovea.engine.adapter.FusionProjector;
import dev.fovea.engine.adapter.PixelShuffleFormat;
import dev.fovea.engine.adapter.PixelShuffleProjector;
import dev.fovea.engine.adapter.ProjectorRegistry;
import dev.fovea.engine.adapter.ResamplerConfig;
import dev.fovea.engine.adapter.ResamplerFormat;
import dev.fovea.engine.adapter.ResamplerProjector;
import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.gguf.GgufWriter;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Quantizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Writes adapter-only GGUF files with random weights (seeded, so a seed always gives the same file) in the
 * layouts of {@link ResamplerFormat}, {@link PixelShuffleFormat} and {@link FusionFormat}. Linear maps are
 * stored as {@code matrixType} (F32, F16 or a quantized type whose block divides the rows); vectors and tables
 * stay F32 as llama.cpp keeps them. Weights are scaled so activations keep unit order through the adapter.
 */
public final class SyntheticAdapters {
    private SyntheticAdapters() {
    }

    public static void writeResampler(Path path, ResamplerConfig c, GgmlType matrixType, long seed) throws IOException {
        write(path, ResamplerProjector.KIND, w -> ResamplerFormat.STANDALONE.putMetadata(w, c),
                ResamplerFormat.STANDALONE.tensors(c), matrixType, seed);
    }

    public static void writePixelShuffle(Path path, int inputDim, int scale, int outputDim, GgmlType matrixType,
                                         long seed) throws IOException {
        write(path, PixelShuffleProjector.KIND, w -> PixelShuffleFormat.putMetadata(w, scale),
                PixelShuffleFormat.tensors(inputDim, scale, outputDim), matrixType, seed);
    }

    /** {@code branch} is the query branch's resampler shape, null exactly when {@code c} has none. */
    public static void writeFusion(Path path, FusionConfig c, ResamplerConfig branch, GgmlType matrixType, long seed)
            throws IOException {
        if (c.hasQueryBranch() != (branch != null)) {
            throw new IllegalArgumentException("a resampler shape is needed exactly when the fusion has a query branch");
        }
        write(path, FusionProjector.KIND, w -> FusionFormat.putMetadata(w, c, branch),
                FusionFormat.tensors(c, branch), matrixType, seed);
    }

    private static void write(Path path, String kind, Consumer<GgufWriter> metadata, List<AdapterTensorSpec> tensors,
                              GgmlType matrixType, long seed) throws IOException {
        if (!Quantizer.supports(matrixType)) {
            throw new IllegalArgumentException("cannot write matrices as " + matrixType);
        }
        Random random = new Random(seed);
        try (GgufWriter w = GgufWriter.create(path)) {
            w.putString(GgufKeys.ARCHITECTURE, "clip");
            w.putString(GgufKeys.NAME, "fovea-synthetic-" + kind);
            w.putBool(GgufKeys.HAS_VISION_ENCODER, false);
            w.putString(GgufKeys.PROJECTOR_TYPE, kind);
            metadata.accept(w);
            for (AdapterTensorSpec t : tensors) {
                w.addTensor(t.name(), typeOf(t, matrixType), t.shape());
            }
            for (AdapterTensorSpec t : tensors) {
                float[] values = values(t, random);
                GgmlType type = typeOf(t, matrixType);
                w.writeTensorData(type == GgmlType.F32 ? littleEndian(values) : ByteBuffer.wrap(Quantizer.quantize(type, values)));
            }
        }
    }

    private static GgmlType typeOf(AdapterTensorSpec t, GgmlType matrixType) {
        return t.role() == AdapterTensorSpec.Role.MATRIX ? matrixType : GgmlType.F32;
    }

    private static float[] values(AdapterTensorSpec t, Random random) {
        float[] v = new float[Math.toIntExact(t.elements())];
        double std = switch (t.role()) {
            case MATRIX -> 1.0 / Math.sqrt(t.shape()[0]);
            case BIAS -> 0.02;
            case NORM_WEIGHT, NORM_BIAS -> 0.1;
            case TABLE, EMBEDDING -> 0.5;
        };
        double mean = t.role() == AdapterTensorSpec.Role.NORM_WEIGHT ? 1.0 : 0.0;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (mean + std * random.nextGaussian());
        }
        return v;
    }

    private static ByteBuffer littleEndian(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b;
    }
}
