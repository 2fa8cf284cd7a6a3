package dev.fovea.gateway.batches;

import dev.fovea.gateway.jobs.JobSettings;
import dev.fovea.gateway.jobs.MissingTopics;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Creates the batch API's three compacted topics when they are missing (files, file content, batches), with the job
 * topics' partition count. Compaction keeps each key's latest record for good: files and batches stay until deleted.
 */
@ApplicationScoped
class BatchTopics {
    private final BatchSettings settings;
    private final JobSettings jobs;
    private final AtomicBoolean ensured = new AtomicBoolean();

    BatchTopics(BatchSettings settings, JobSettings jobs) {
        this.settings = settings;
        this.jobs = jobs;
    }

    /** Idempotent; throws IllegalStateException while the broker cannot be reached, so callers retry. */
    void ensure() {
        if (ensured.get()) {
            return;
        }
        MissingTopics.create(jobs.bootstrapServers(), jobs.partitions(), List.of(
                new MissingTopics.Topic(settings.filesTopic(), true),
                new MissingTopics.Topic(settings.fileContentTopic(), true),
                new MissingTopics.Topic(settings.batchesTopic(), true)), "batch");
        ensured.set(true);
    }
}
