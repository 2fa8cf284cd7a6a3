package dev.fovea.gateway.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

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
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(20, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            int partitions = settings.partitions();
            if (!existing.contains(settings.requestsTopic())) {
                missing.add(new NewTopic(settings.requestsTopic(), Optional.of(partitions), Optional.empty()));
            }
            if (!existing.contains(settings.resultsTopic())) {
                missing.add(new NewTopic(settings.resultsTopic(), Optional.of(partitions), Optional.empty())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
            }
            if (!existing.contains(settings.cancellationsTopic())) {
                missing.add(new NewTopic(settings.cancellationsTopic(), Optional.of(partitions), Optional.empty())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
            }
            if (!existing.contains(settings.deadLetterTopic())) {
                missing.add(new NewTopic(settings.deadLetterTopic(), Optional.of(partitions), Optional.empty()));
            }
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(20, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            ensured.set(true);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + settings.bootstrapServers() + ": "
                    + (e.getCause() == null ? e : e.getCause()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the job topics", e);
        }
    }
}
