package dev.fovea.gateway.batches;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code fovea.batches.*}: the OpenAI batch API (docs/jobs.md, "OpenAI batches"); on wherever the job API is. */
@ConfigMapping(prefix = "fovea.batches")
public interface BatchSettings {
    /** Compacted: one record per file (key = file id), its metadata and where its content lies. */
    @WithDefault("fovea.files")
    String filesTopic();

    /** Compacted: files' content in chunks (key = file id/chunk), read by offset. */
    @WithDefault("fovea.files.content")
    String fileContentTopic();

    /** Compacted: the latest state of each batch (key = batch id). */
    @WithDefault("fovea.batches")
    String batchesTopic();

    /** Largest file a client may upload. */
    @WithDefault("52428800")
    int maxFileBytes();

    /** Requests (lines) in one batch file; OpenAI's own limit. */
    @WithDefault("50000")
    int maxRequests();

    /** The consumer group whose members share the batches' partitions: each batch has one driver. */
    @WithDefault("fovea-batch-drivers")
    String driverGroup();

    /** How often a driver looks at its batches. */
    @WithDefault("500ms")
    Duration driverInterval();

    /** How soon the group notices a driver that died, so another takes its batches. */
    @WithDefault("10s")
    Duration driverSessionTimeout();
}
