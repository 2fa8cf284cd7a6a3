package dev.fovea.encoderservice;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.pipeline.VisionModel;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.tensor.VectorWidth;
import dev.fovea.engine.vision.ClipPreprocessor;
import dev.fovea.engine.vision.ClipVisionEncoder;
import dev.fovea.engine.vision.FeatureMap;
import dev.fovea.engine.vision.ImageDecoder;
import dev.fovea.engine.vision.ImageException;
import dev.fovea.engine.vision.Qwen2VlVisionEncoder;
import dev.fovea.engine.vision.RgbImage;
import dev.fovea.engine.vision.RgbImageOps;
import dev.fovea.engine.vision.tiling.AnyResPlan;
import dev.fovea.engine.vision.tiling.AnyResTiling;
import dev.fovea.engine.vision.tiling.MiniCpmvSlicing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** The loaded vision tower, its micro-batcher and its feature cache; one per process. */
@ApplicationScoped
@Startup
public class EncoderRuntime {
    private static final Logger LOG = Logger.getLogger(EncoderRuntime.class);

    /**
     * What to encode: decoded pixels already preprocessed (a CLIP-layout tower; for MiniCPM-V's, one slice normalized
     * at its own size, {@code image} then the slice itself for its size), or the decoded image itself (a Qwen2-VL
     * tower, which preprocesses each image at its own size), plus the cache key of the source.
     */
    record Job(String key, float[] pixels, RgbImage image) {
    }

    private final String name;
    private final GgufFile file;
    /** The CLIP-layout tower, or null when the mmproj's is Qwen2-VL's. */
    private final ClipVisionEncoder encoder;
    private final Qwen2VlVisionEncoder qwen2vl;
    private final ImageDecoder decoder;
    private final Duration decodeTimeout;
    /** The mmproj's LLaVA-1.6 AnyRes plan, or null when it has no pinpoints. */
    private final AnyResTiling anyRes;
    private final MicroBatcher<Job, FeatureMap> batcher;
    private final Cache<String, FeatureMap> cache;
    private final Counter hits;
    private final Counter misses;
    private final ImageWorkers workers;
    private final java.util.concurrent.Semaphore inFlight;
    private final int maxInFlight;

    EncoderRuntime(EncoderSettings settings, MeterRegistry registry) throws IOException {
        Path path = Path.of(settings.mmproj());
        this.name = settings.name().orElse(path.getFileName().toString());
        this.file = GgufFile.open(path);
        boolean qwen = VisionModel.hasQwen2VlTower(file);
        this.encoder = qwen ? null : ClipVisionEncoder.load(file);
        this.qwen2vl = qwen ? Qwen2VlVisionEncoder.load(file, VisionModel.QWEN2VL_MAX_PIXELS) : null;
        this.decoder = new ImageDecoder(settings.maxPixels());
        this.decodeTimeout = settings.decodeTimeout();
        this.anyRes = AnyResTiling.fromGguf(file);
        this.maxInFlight = settings.maxImagesInFlight();
        this.inFlight = new java.util.concurrent.Semaphore(maxInFlight);
        this.workers = new ImageWorkers(settings.decodeWorkers(), settings.decodeQueue(), settings.maxStuckDecodes(),
                settings.decodeTimeout());
        Parallel pool = settings.threads() > 0 ? Parallel.create(settings.threads()) : Parallel.shared();
        this.cache = Caffeine.newBuilder()
                .maximumWeight(settings.cacheMb() << 20)
                .weigher((String k, FeatureMap v) -> (int) Math.min(Integer.MAX_VALUE, 4L * v.data().length + k.length()))
                .recordStats()
                .build();
        this.hits = Counter.builder("fovea.encoder.cache.hits").register(registry);
        this.misses = Counter.builder("fovea.encoder.cache.misses").register(registry);
        Gauge.builder("fovea.encoder.cache.hit_ratio", cache, c -> c.stats().hitRate()).register(registry);
        DistributionSummary batchSize = DistributionSummary.builder("fovea.encoder.batch.size").register(registry);
        Timer queueTime = Timer.builder("fovea.encoder.queue.time").publishPercentileHistogram().register(registry);
        Timer encodeTime = Timer.builder("fovea.encoder.encode.time").publishPercentileHistogram().register(registry);
        this.batcher = new MicroBatcher<>("fovea-encoder-batch", settings.maxBatch(), settings.maxWaitMs(), jobs -> {
            long t0 = System.nanoTime();
            List<FeatureMap> out;
            if (qwen2vl != null) {
                out = new ArrayList<>(jobs.size()); // images of different sizes: one at a time
                for (Job j : jobs) {
                    out.add(qwen2vl.encode(j.image(), pool));
                }
            } else if (slices()) {
                out = encodeSlices(jobs, pool);
            } else {
                List<float[]> pixels = new ArrayList<>(jobs.size());
                for (Job j : jobs) {
                    pixels.add(j.pixels());
                }
                out = encoder.encode(pixels, pool); // one pass over the weights for the whole batch
            }
            encodeTime.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            return out;
        }, s -> {
            batchSize.record(s.size());
            for (long w : s.queueNanos()) {
                queueTime.record(w, TimeUnit.NANOSECONDS);
            }
        });
        if (VectorWidth.warning() != null) {
            LOG.warn(VectorWidth.warning());
        }
        if (qwen2vl != null) {
            LOG.infof("serving encoder %s (Qwen2-VL, images at their own size, features of width %d)", name,
                    qwen2vl.embd());
        } else if (slices()) {
            LOG.infof("serving encoder %s (MiniCPM-V: source view and slices at their own sizes, features of width %d)",
                    name, encoder.embd());
        } else {
            LOG.infof("serving encoder %s (%d px, %d patches of width %d)", name, encoder.imageSize(),
                    encoder.patchCount(), encoder.embd());
        }
    }

    String name() {
        return name;
    }

    /** Whether the tower is MiniCPM-V's: images come as their source view and slices, each at its own size. */
    boolean slices() {
        return encoder != null && encoder.encodesAnySize();
    }

    /** MiniCPM-V slices of a batch: runs of the same size share one pass over the weights, in batch order. */
    private List<FeatureMap> encodeSlices(List<Job> jobs, Parallel pool) {
        List<FeatureMap> out = new ArrayList<>(jobs.size());
        int i = 0;
        while (i < jobs.size()) {
            int w = jobs.get(i).image().width();
            int h = jobs.get(i).image().height();
            List<float[]> run = new ArrayList<>();
            while (i < jobs.size() && jobs.get(i).image().width() == w && jobs.get(i).image().height() == h) {
                run.add(jobs.get(i).pixels());
                i++;
            }
            out.addAll(encoder.encode(run, w, h, pool));
        }
        return out;
    }

    /**
     * Input {@code index} of the image's MiniCPM-V slicing plan (0 = the source view, then the slices row by row),
     * resized as llama.cpp slices it and normalized at its own size.
     */
    CompletableFuture<FeatureMap> encodeSlice(byte[] bytes, int index, String key) throws ImageException {
        if (!slices()) {
            throw new IllegalArgumentException("encoder " + name + " does not slice images (not MiniCPM-V's tower): "
                    + "send the image without minicpmv_slice");
        }
        RgbImage img = decode(bytes);
        MiniCpmvSlicing.Plan plan = MiniCpmvSlicing.LLAMA_CPP.plan(img.width(), img.height());
        if (index < 0 || index >= plan.inputCount()) {
            throw new IllegalArgumentException("MiniCPM-V input " + index + " of " + plan.inputCount() + " for a "
                    + img.width() + "×" + img.height() + " image");
        }
        RgbImage view = plan.render(img, new RgbImageOps()).get(index);
        return submit(new Job(key, encoder.preprocessor().normalizeAsIs(view), view));
    }

    /** The CLIP-layout tower; a Qwen2-VL encoder has none and takes encoded images only. */
    ClipVisionEncoder encoder() {
        if (encoder == null) {
            throw new IllegalArgumentException("encoder " + name + " is Qwen2-VL's: it takes encoded images (each at "
                    + "its own size), not preprocessed pixels");
        }
        return encoder;
    }

    /** The Qwen2-VL tower, or null. */
    Qwen2VlVisionEncoder qwen2vl() {
        return qwen2vl;
    }

    /** A cached result, or null. */
    FeatureMap cached(String key) {
        FeatureMap f = cache.getIfPresent(key);
        (f != null ? hits : misses).increment();
        return f;
    }

    /** The threads that decode and preprocess, each image within the decode deadline. */
    ImageWorkers workers() {
        return workers;
    }

    /**
     * Admits {@code images} more images, or refuses with RESOURCE_EXHAUSTED when that would hold more than
     * {@code fovea.encoder.max-images-in-flight}; each admitted image must be {@link #release released} once answered.
     */
    void admit(int images) {
        if (!inFlight.tryAcquire(images)) {
            throw io.grpc.Status.RESOURCE_EXHAUSTED.withDescription("the encoder is busy with " + maxInFlight
                    + " images (fovea.encoder.max-images-in-flight); retry later").asRuntimeException();
        }
    }

    void release(int images) {
        inFlight.release(images);
    }

    /**
     * Decodes an image file within the decode deadline: the decoder aborts its reader when the time is up, and the
     * worker pool answers the caller at the deadline even if a reader does not stop.
     */
    RgbImage decode(byte[] bytes) throws ImageException {
        return decoder.decode(bytes, decodeTimeout);
    }

    /**
     * Decodes, crops and preprocesses an image file (in the caller's thread: an image worker), then queues it for
     * encoding.
     */
    CompletableFuture<FeatureMap> encodeFile(byte[] bytes, int[] crop, ClipPreprocessor.Profile profile, String key)
            throws ImageException {
        if (slices()) {
            throw new IllegalArgumentException("encoder " + name + " is MiniCPM-V's: it encodes an image as its source "
                    + "view and slices, one ImageInput.minicpmv_slice each");
        }
        RgbImage img = decode(bytes);
        if (crop != null) {
            img = img.crop(crop[0], crop[1], crop[2], crop[3]);
        }
        if (qwen2vl != null) {
            return submit(new Job(key, null, img));
        }
        return encodePixels(encoder.preprocessor().apply(img, profile), key);
    }

    AnyResTiling anyRes() {
        return anyRes;
    }

    /** View {@code index} of the image's AnyRes plan (0 = base view, then the tiles row-major). */
    CompletableFuture<FeatureMap> encodeAnyResView(byte[] bytes, int index, String key) throws ImageException {
        if (anyRes == null) {
            throw new IllegalArgumentException("encoder " + name + " has no AnyRes plan (no clip.vision.image_grid_pinpoints)");
        }
        RgbImage img = decode(bytes);
        AnyResPlan plan = anyRes.plan(img.width(), img.height());
        if (index < 0 || index >= plan.inputCount()) {
            throw new IllegalArgumentException("AnyRes view " + index + " of " + plan.inputCount() + " for a "
                    + img.width() + "×" + img.height() + " image");
        }
        RgbImage view = plan.render(img, new RgbImageOps()).get(index);
        return encodePixels(encoder.preprocessor().apply(view), key);
    }

    CompletableFuture<FeatureMap> encodePixels(float[] pixels, String key) {
        int size = encoder().imageSize();
        int expected = 3 * size * size;
        if (pixels.length != expected) {
            throw new IllegalArgumentException("pixels must be [3][" + size + "][" + size + "], got " + pixels.length
                    + " values");
        }
        return submit(new Job(key, pixels, null));
    }

    private CompletableFuture<FeatureMap> submit(Job job) {
        String key = job.key();
        return batcher.submit(job).thenApply(f -> {
            cache.put(key, f);
            return f;
        });
    }

    static String hash(byte[] data, String suffix) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(data)) + suffix;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @PreDestroy
    void close() {
        workers.close();
        batcher.close();
        file.close();
    }
}
