package dev.fovea.engine.pipeline;

import dev.fovea.engine.adapter.Projector;
import dev.fovea.engine.adapter.ProjectorLoader;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.ClipVisionEncoder;
import dev.fovea.engine.vision.FeatureMap;
import dev.fovea.engine.vision.ImageDecoder;
import dev.fovea.engine.vision.ImageException;
import dev.fovea.engine.vision.RgbImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** An {@code mmproj} GGUF opened for use: image → encoder features → projector → LLM embeddings. */
public final class VisionModel implements AutoCloseable {
    private final GgufFile file;
    private final ClipVisionEncoder encoder;
    private final Projector projector;
    private final Parallel pool;
    private final ImageDecoder decoder;

    private VisionModel(GgufFile file, ClipVisionEncoder encoder, Projector projector, Parallel pool, long maxPixels) {
        this.file = file;
        this.encoder = encoder;
        this.projector = projector;
        this.pool = pool;
        this.decoder = new ImageDecoder(maxPixels);
    }

    public static VisionModel open(Path path, Parallel pool, long maxPixels) throws IOException {
        GgufFile f = GgufFile.open(path);
        try {
            return new VisionModel(f, ClipVisionEncoder.load(f), ProjectorLoader.load(f), pool, maxPixels);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    public ClipVisionEncoder encoder() {
        return encoder;
    }

    public Projector projector() {
        return projector;
    }

    /** Encoder features of an encoded image file (PNG, JPEG, …). */
    public FeatureMap features(byte[] imageFile) throws ImageException {
        RgbImage img = decoder.decode(imageFile);
        return encoder.encode(encoder.preprocessor().apply(img), pool);
    }

    /** The projector output of an encoded image file, as an embeddings segment for the LLM. */
    public Segment.Embeddings embed(byte[] imageFile) throws ImageException {
        FeatureMap out = projector.project(List.of(features(imageFile)), pool);
        return new Segment.Embeddings(out.data(), out.tokens());
    }

    @Override
    public void close() {
        file.close();
    }
}
