package dev.fovea.gateway.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Creates the job topics when they are missing (results compacted by job id, cancellations by batch id). In
 * Kubernetes they come from Strimzi {@code KafkaTopic} resources instead and this finds them present. Replication is
 * the broker's default.
 */
@ApplicationScoped
class JobTopics {
    private final JobSettings settings;
    private final AtomicBoolean ensured = new AtomicBoolean();

    JobTopics(JobSettings settings) {
        this.settings = settings;
    }

    /** Idempotent; throws when the broker cannot be reached in time, so callers retry. */
    void ensure() {
        if (ensured.get()) {
            return;
        }
        MissingTopics.create(settings.bootstrapServers(), settings.partitions(), List.of(
                new MissingTopics.Topic(settings.requestsTopic(), false),
                new MissingTopics.Topic(settings.resultsTopic(), true),
                new MissingTopics.Topic(settings.cancellationsTopic(), true),
                new MissingTopics.Topic(settings.deadLetterTopic(), false)), "job");
        ensured.set(true);
    }
}
