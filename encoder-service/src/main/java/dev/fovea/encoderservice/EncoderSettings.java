package dev.fovea.encoderservice;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** {@code fovea.encoder.*}: the one encoder this deployment serves, and how it batches and caches. */
@ConfigMapping(prefix = "fovea.encoder")
public interface EncoderSettings {
    /** The mmproj GGUF whose vision tower this service runs. */
    String mmproj();

    /** Name reported by Describe (default: the file name). */
    Optional<String> name();

    /** Compute threads; 0 = one per core. */
    @WithDefault("0")
    int threads();

    @WithDefault("50000000")
    long maxPixels();

    /** Most images encoded in one micro-batch. */
    @WithDefault("8")
    int maxBatch();

    /** How long the first request of a batch waits for company. */
    @WithDefault("5")
    long maxWaitMs();

    /** Feature cache size (0 disables). */
    @WithDefault("512")
    long cacheMb();

    /** Most images in one Encode call. */
    @WithDefault("64")
    int maxImagesPerCall();

    /** Longest an image may take to decode and preprocess; past it the caller gets INVALID_ARGUMENT. */
    @WithDefault("5s")
    Duration decodeTimeout();

    /** Threads that decode and preprocess images, off the I/O threads (each may hold one image's pixels). */
    @WithDefault("2")
    int decodeWorkers();

    /** Images waiting for a decode thread before calls are refused with RESOURCE_EXHAUSTED. */
    @WithDefault("64")
    int decodeQueue();

    /**
     * Images accepted and not yet answered (waiting, decoding, or preprocessed and queued for the tower, each
     * holding its pixels) before calls are refused with RESOURCE_EXHAUSTED.
     */
    @WithDefault("128")
    int maxImagesInFlight();

    /**
     * Replacement threads started while decodes are stuck past their deadline. Bounds the threads, and the memory:
     * at most {@code decode-workers + max-stuck-decodes} images are decoded at once.
     */
    @WithDefault("1")
    int maxStuckDecodes();

    /**
     * How long a stopping replica lets its Encode calls finish before it ends them; keep it below the pod's
     * terminationGracePeriodSeconds minus its preStop pause.
     */
    @WithDefault("30s")
    Duration drainTimeout();
}
