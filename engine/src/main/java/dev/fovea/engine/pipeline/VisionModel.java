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
import dev.fovea.engine.vision.tiling.MiniCpmvSlicing;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@code mmproj} GGUF opened for use: image → encoder features → projector → LLM embeddings. The tower is CLIP's
 * layout ({@link ClipVisionEncoder}) except for a {@code qwen2vl_merger} file, whose tower is Qwen2-VL's
 * ({@link Qwen2VlVisionEncoder}: the image at its own size, embeddings carrying their grid for M-RoPE).
 * A MiniCPM-V file (CLIP layout, bucketed positions, the {@code resampler}) is sliced as llama.cpp slices it
 * ({@link MiniCpmvSlicing}): the source view, then the slices row by row, each resampled to the same number of rows.
 */
public final class VisionModel implements AutoCloseable {
    private final GgufFile file;
    private final ClipVisionEncoder encoder;
    /**
     * Several towers whose features one adapter combines (SPHINX's {@code fusion}), in the adapter's input order, and
     * the files they and the adapter came from; null for a single mmproj.
     */
    private final List<ClipVisionEncoder> fused;
    private final List<GgufFile> fusedFiles;
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
        this(file, encoder, qwen2vl, projector, pool, maxPixels, layout, null, null);
    }

    private VisionModel(GgufFile file, ClipVisionEncoder encoder, Qwen2VlVisionEncoder qwen2vl, Projector projector,
                        Parallel pool, long maxPixels, AnyResLayout layout, List<ClipVisionEncoder> fused,
                        List<GgufFile> fusedFiles) throws GgufFormatException {
        this.file = file;
        this.encoder = encoder;
        this.fused = fused;
        this.fusedFiles = fusedFiles;
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
     * Towers from files of their own (CLIP layout, read as their metadata says) and the adapter file that combines
     * their features ({@code docs/adapters.md}: {@code fusion}), as a pipeline file with several encoders lists
     * them: each image goes whole through every tower (no tiling), then once through the adapter.
     */
    public static VisionModel openFused(List<Path> towers, Path adapter, Parallel pool, long maxPixels) throws IOException {
        if (towers.isEmpty()) {
            throw new IllegalArgumentException("no tower files");
        }
        List<GgufFile> files = new ArrayList<>();
        try {
            List<ClipVisionEncoder> encoders = new ArrayList<>();
            for (Path t : towers) {
                GgufFile f = GgufFile.open(t);
                files.add(f);
                try {
                    encoders.add(ClipVisionEncoder.load(f));
                } catch (GgufFormatException | IllegalArgumentException e) {
                    throw GgufFormatException.naming(t, e);
                }
            }
            GgufFile a = GgufFile.open(adapter);
            files.add(a);
            Projector projector;
            try {
                projector = ProjectorRegistry.load(a);
            } catch (GgufFormatException | IllegalArgumentException e) {
                throw GgufFormatException.naming(adapter, e);
            }
            try {
                // the adapter's own check of how many inputs it takes
                projector.outputTokens(encoders.stream().map(ClipVisionEncoder::patchCount).toList());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(adapter.getFileName() + " does not fit " + towers.size()
                        + " tower(s): " + e.getMessage(), e);
            }
            return new VisionModel(a, encoders.getFirst(), null, projector, pool, maxPixels, AnyResLayout.HUGGING_FACE,
                    List.copyOf(encoders), List.copyOf(files));
        } catch (IOException | RuntimeException e) {
            files.forEach(GgufFile::close);
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

    /** The CLIP-layout tower (of several, the first); absent for a Qwen2-VL file. */
    public ClipVisionEncoder encoder() {
        if (encoder == null) {
            throw new IllegalStateException("this mmproj's tower is Qwen2-VL's, not CLIP's");
        }
        return encoder;
    }

    public Projector projector() {
        return projector;
    }

    /** Encoder features of an encoded image file (PNG, JPEG, …); with several towers, the first's. */
    public FeatureMap features(byte[] imageFile) throws ImageException {
        RgbImage img = decoder.decode(imageFile);
        if (qwen2vl != null) {
            return qwen2vl.encode(img, pool);
        }
        if (encoder.encodesAnySize()) { // MiniCPM-V: the source view's features
            RgbImage source = MiniCpmvSlicing.LLAMA_CPP.plan(img.width(), img.height())
                    .render(img, new RgbImageOps()).getFirst();
            return encodeSlices(List.of(source)).getFirst();
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
        if (fused != null) {
            List<FeatureMap> features = new ArrayList<>(fused.size());
            for (ClipVisionEncoder e : fused) {
                features.add(e.encode(e.preprocessor().apply(img), pool));
            }
            out = projector.project(features, pool);
        } else if (encoder.encodesAnySize()) {
            out = embedMiniCpmv(img);
        } else if (anyRes == null) {
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

    /**
     * An image as a prompt places it: each encoder input's rows and the layout that puts them among wrapper text
     * (for MiniCPM-V, {@link MiniCpmvSlicing.Plan#llamaCppLayout()}: the source view and each slice between
     * {@code <image>} and {@code </image>}; for every other model one input placed alone, {@link #whole}).
     */
    public record PromptImage(List<Segment.Embeddings> inputs, List<MiniCpmvSlicing.Piece> layout) {
        public PromptImage {
            inputs = List.copyOf(inputs);
            layout = List.copyOf(layout);
        }

        /** Embeddings that go into the prompt as one block, where the image's marker is. */
        public static PromptImage whole(Segment.Embeddings embeddings) {
            return new PromptImage(List.of(embeddings), List.of(new MiniCpmvSlicing.Piece.Input(0)));
        }
    }

    /** Whether images are sliced MiniCPM-V's way ({@link #embedSliced}); {@link #embed} then concatenates the inputs. */
    public boolean slicesImages() {
        return encoder != null && encoder.encodesAnySize();
    }

    /**
     * An image file as the prompt places it: MiniCPM-V's slices in their layout ({@link #embedSliced}), else
     * {@link #embed}'s rows as one block.
     */
    public PromptImage embedForPrompt(byte[] imageFile) throws ImageException {
        return slicesImages() ? embedSliced(imageFile) : PromptImage.whole(embed(imageFile));
    }

    /** A MiniCPM-V image's inputs and layout (see {@link PromptImage}); only when {@link #slicesImages()}. */
    private PromptImage embedSliced(byte[] imageFile) throws ImageException {
        if (!slicesImages()) {
            throw new IllegalStateException("this mmproj does not slice images (not MiniCPM-V)");
        }
        RgbImage img = decoder.decode(imageFile);
        MiniCpmvSlicing.Plan plan = MiniCpmvSlicing.LLAMA_CPP.plan(img.width(), img.height());
        List<Segment.Embeddings> inputs = new ArrayList<>();
        for (FeatureMap p : projectSlices(plan, img)) {
            inputs.add(new Segment.Embeddings(p.data(), p.tokens()));
        }
        return new PromptImage(inputs, plan.llamaCppLayout());
    }

    private List<FeatureMap> projectSlices(MiniCpmvSlicing.Plan plan, RgbImage img) {
        List<FeatureMap> projected = new ArrayList<>();
        for (FeatureMap features : encodeSlices(plan.render(img, new RgbImageOps()))) {
            projected.add(projector.project(List.of(features), pool));
        }
        return projected;
    }

    /**
     * MiniCPM-V: the source view, then the slices row by row, each through the tower and the resampler; the rows
     * concatenated in that order, as llama.cpp's {@code llava_image_embed_make_with_bytes} returns them.
     */
    private FeatureMap embedMiniCpmv(RgbImage img) {
        List<FeatureMap> projected = projectSlices(MiniCpmvSlicing.LLAMA_CPP.plan(img.width(), img.height()), img);
        int dim = projector.outputDim();
        int tokens = projected.stream().mapToInt(FeatureMap::tokens).sum();
        float[] data = new float[Math.multiplyExact(tokens, dim)];
        int at = 0;
        for (FeatureMap p : projected) {
            System.arraycopy(p.data(), 0, data, at, p.data().length);
            at += p.data().length;
        }
        return FeatureMap.sequence(data, tokens, dim);
    }

    /** Encodes slices of any sizes (MiniCPM-V's tower); slices of the same size share one batch. */
    private List<FeatureMap> encodeSlices(List<RgbImage> slices) {
        List<FeatureMap> out = new ArrayList<>(slices.size());
        int i = 0;
        while (i < slices.size()) {
            int w = slices.get(i).width();
            int h = slices.get(i).height();
            List<float[]> batch = new ArrayList<>();
            while (i < slices.size() && slices.get(i).width() == w && slices.get(i).height() == h) {
                batch.add(encoder.preprocessor().normalizeAsIs(slices.get(i)));
                i++;
            }
            out.addAll(encoder.encode(batch, w, h, pool));
        }
        return out;
    }

    @Override
    public void close() {
        if (fusedFiles != null) {
            fusedFiles.forEach(GgufFile::close);
        } else {
            file.close();
        }
    }
}
