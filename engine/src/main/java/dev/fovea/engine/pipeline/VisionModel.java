package dev.fovea.engine.pipeline;

import dev.fovea.engine.adapter.Projector;
import dev.fovea.engine.adapter.ProjectorRegistry;
import dev.fovea.engine.adapter.Qwen2VlMerger;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.ClipVisionEncoder;
import dev.fovea.engine.vision.Qwen2VlVisionEncoder;
import dev.fovea.engine.vision.FeatureMap;
import dev.fovea.engine.vision.ImageDecoder;
import dev.fovea.engine.vision.ImageException;
import dev.fovea.engine.vision.RgbImage;
import dev.fovea.engine.vision.RgbImageOps;
import dev.fovea.engine.vision.tiling.AnyResAssembler;
import dev.fovea.engine.vision.tiling.AnyResLayout;
import dev.fovea.engine.vision.tiling.AnyResPlan;
import dev.fovea.engine.vision.tiling.AnyResTiling;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@code mmproj} GGUF opened for use: image → encoder features → projector → LLM embeddings. The tower is CLIP's
 * layout ({@link ClipVisionEncoder}) except for a {@code qwen2vl_merger} file, whose tower is Qwen2-VL's
 * ({@link Qwen2VlVisionEncoder}: the image at its own size, embeddings carrying their grid for M-RoPE).
 */
public final class VisionModel implements AutoCloseable {
    private final GgufFile file;
    private final ClipVisionEncoder encoder;
    private final Qwen2VlVisionEncoder qwen2vl;
    private final Projector projector;
    private final Parallel pool;
    private final ImageDecoder decoder;
    /** LLaVA-1.6 AnyRes tiling when the mmproj declares pinpoints, else null (one view per image). */
    private final AnyResTiling anyRes;
    private final float[] newline;
    private final AnyResLayout layout;

    private VisionModel(GgufFile file, ClipVisionEncoder encoder, Qwen2VlVisionEncoder qwen2vl, Projector projector,
                        Parallel pool, long maxPixels, AnyResLayout layout) throws GgufFormatException {
        this.file = file;
        this.encoder = encoder;
        this.qwen2vl = qwen2vl;
        this.projector = projector;
        this.pool = pool;
        this.decoder = new ImageDecoder(maxPixels);
        this.anyRes = AnyResTiling.fromGguf(file);
        this.newline = anyRes == null ? null : AnyResAssembler.readNewline(file);
        this.layout = layout;
    }

    public static VisionModel open(Path path, Parallel pool, long maxPixels) throws IOException {
        return open(path, pool, maxPixels, AnyResLayout.HUGGING_FACE);
    }

    /** As {@link #open(Path, Parallel, long)}, assembling LLaVA-1.6 tiles in {@code layout}. */
    public static VisionModel open(Path path, Parallel pool, long maxPixels, AnyResLayout layout) throws IOException {
        GgufFile f = GgufFile.open(path);
        try {
            String arch = f.getString(GgufKeys.ARCHITECTURE, "");
            if (!arch.isEmpty() && !GgufKeys.CLIP_ARCHITECTURE.equals(arch)) {
                throw new GgufFormatException("this is a language model (general.architecture = " + arch + "), not an"
                        + " mmproj: pass it as the model (-m) and the vision encoder + projector GGUF as the mmproj");
            }
            Projector projector = ProjectorRegistry.load(f);
            if (hasQwen2VlTower(f)) {
                return new VisionModel(f, null, Qwen2VlVisionEncoder.load(f, QWEN2VL_MAX_PIXELS), projector, pool,
                        maxPixels, layout);
            }
            return new VisionModel(f, ClipVisionEncoder.load(f), null, projector, pool, maxPixels, layout);
        } catch (GgufFormatException | IllegalArgumentException e) {
            f.close();
            throw GgufFormatException.naming(path, e);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /**
     * The most pixels a Qwen2-VL image is encoded at (1280 merged tokens, Qwen2-VL's own suggested budget): larger
     * images are scaled down to fit, since the tower's attention grows with the square of the patch count.
     */
    public static final long QWEN2VL_MAX_PIXELS = 1280L * 28 * 28;

    /** Whether the mmproj's tower is Qwen2-VL's (its projector is the {@code qwen2vl_merger}), not CLIP's layout. */
    public static boolean hasQwen2VlTower(GgufFile f) throws GgufFormatException {
        return Qwen2VlMerger.KIND.equals(f.getString(GgufKeys.PROJECTOR_TYPE, ""));
    }

    /** The CLIP-layout tower; absent for a Qwen2-VL file. */
    public ClipVisionEncoder encoder() {
        if (encoder == null) {
            throw new IllegalStateException("this mmproj's tower is Qwen2-VL's, not CLIP's");
        }
        return encoder;
    }

    public Projector projector() {
        return projector;
    }

    /** Encoder features of an encoded image file (PNG, JPEG, …). */
    public FeatureMap features(byte[] imageFile) throws ImageException {
        RgbImage img = decoder.decode(imageFile);
        if (qwen2vl != null) {
            return qwen2vl.encode(img, pool);
        }
        return encoder.encode(encoder.preprocessor().apply(img), pool);
    }

    /**
     * The LLM embeddings of an encoded image file: one view through encoder and projector, or with AnyRes the base
     * view and every tile (each an independent encoder input), assembled with the row newlines.
     */
    public Segment.Embeddings embed(byte[] imageFile) throws ImageException {
        RgbImage img = decoder.decode(imageFile);
        if (qwen2vl != null) {
            FeatureMap merged = projector.project(List.of(qwen2vl.encode(img, pool)), pool);
            return new Segment.Embeddings(merged.data(), merged.tokens(), merged.gridHeight(), merged.gridWidth());
        }
        FeatureMap out;
        if (anyRes == null) {
            out = projector.project(List.of(encoder.encode(encoder.preprocessor().apply(img), pool)), pool);
        } else {
            AnyResPlan plan = anyRes.plan(img.width(), img.height());
            List<float[]> views = new ArrayList<>();
            for (RgbImage view : plan.render(img, new RgbImageOps())) {
                views.add(encoder.preprocessor().apply(view));
            }
            List<FeatureMap> projected = new ArrayList<>();
            for (FeatureMap features : encoder.encode(views, pool)) { // one batch: every matrix read once
                projected.add(projector.project(List.of(features), pool));
            }
            out = layout == AnyResLayout.LLAMA_CPP ? AnyResAssembler.assembleLlamaCpp(plan, projected)
                    : AnyResAssembler.assemble(plan, projected, newline);
        }
        return new Segment.Embeddings(out.data(), out.tokens());
    }

    @Override
    public void close() {
        file.close();
    }
}
