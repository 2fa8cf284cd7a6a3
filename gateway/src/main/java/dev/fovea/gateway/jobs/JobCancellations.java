package dev.fovea.gateway.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.InternalNames;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Cancelled job batches: a record per batch on the compacted cancellations topic, followed by every gateway and
 * worker. Jobs already queued cannot be taken off the requests topic, so a worker checks here before it starts a
 * job and ends the job of a cancelled batch without running it (state {@code expired}, code
 * {@value #CANCELLED_CODE}); jobs already running finish.
 */
@ApplicationScoped
class JobCancellations {
    /** The error code of a job that did not run because its batch was cancelled. */
    static final String CANCELLED_CODE = "batch_cancelled";

    private final JobSettings settings;
    private final JobTopics topics;
    private final ObjectMapper mapper = new ObjectMapper();
    /** Batch id → when it was cancelled (Unix ms). */
    private final Map<String, Long> cancelled = new ConcurrentHashMap<>();
    private final TopicFollower follower;
    private KafkaProducer<String, byte[]> producer;

    JobCancellations(JobSettings settings, JobTopics topics) {
        this.settings = settings;
        this.topics = topics;
        this.follower = new TopicFollower("job-cancellations", settings.bootstrapServers(),
                settings.cancellationsTopic(), topics::ensure, this::accept);
    }

    void start(@Observes StartupEvent e) {
        if (settings.enabled() || settings.worker().enabled()) {
            follower.start();
        }
    }

    synchronized void stop(@Observes ShutdownEvent e) {
        follower.stop();
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }

    /** When the batch was cancelled, if it was. */
    Optional<Long> cancelledAt(String batch) {
        return batch == null || batch.isEmpty() ? Optional.empty() : Optional.ofNullable(cancelled.get(batch));
    }

    /** Idempotent: a batch cancelled again keeps its first time. Answers once the broker has the record. */
    long cancel(String batch) {
        Long earlier = cancelled.get(batch);
        if (earlier != null) {
            return earlier;
        }
        try {
            topics.ensure();
        } catch (IllegalStateException e) {
            throw ApiException.unavailable("the job queue is unavailable: " + InternalNames.scrub(e.getMessage()));
        }
        long now = System.currentTimeMillis();
        byte[] value = mapper.createObjectNode().put("batch", batch).put("cancelled_unix_ms", now).toString()
                .getBytes(StandardCharsets.UTF_8);
        try {
            producer().send(new ProducerRecord<>(settings.cancellationsTopic(), batch, value))
                    .get(45, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw ApiException.unavailable("the job queue did not take the cancellation: "
                    + InternalNames.scrub(cause.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while cancelling");
        }
        Long first = cancelled.putIfAbsent(batch, now);
        return first == null ? now : first;
    }

    private void accept(ConsumerRecord<String, byte[]> r) {
        if (r.key() == null) {
            return;
        }
        if (r.value() == null) {
            cancelled.remove(r.key());
            return;
        }
        try {
            JsonNode node = mapper.readTree(r.value());
            long at = node.path("cancelled_unix_ms").asLong(r.timestamp());
            cancelled.merge(r.key(), at, Math::min);
        } catch (IOException e) {
            cancelled.merge(r.key(), r.timestamp(), Math::min);
        }
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = IdempotentProducers.create(IdempotentProducers.settings(settings.bootstrapServers(),
                    "fovea-job-cancellations"));
        }
        return producer;
    }
}
