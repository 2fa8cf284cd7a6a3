package dev.fovea.gateway.jobs;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.InternalNames;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Puts submitted jobs on the requests topic with an idempotent, acks=all producer and answers only once the broker
 * has every one of them; remembers what it accepted so GET can say "queued" before a result exists.
 */
@ApplicationScoped
class JobSubmitter {
    /** A job ready for the topic; its priority also goes into a header, so workers order jobs without parsing. */
    record Outgoing(String id, String batch, byte[] value, String contentType, int priority) {
    }

    private final JobSettings settings;
    private final JobTopics topics;
    private final Cache<String, String> queued = Caffeine.newBuilder().maximumSize(1_000_000).build();
    private final Cache<String, Integer> batchSizes = Caffeine.newBuilder().maximumSize(100_000).build();
    private KafkaProducer<String, byte[]> producer;

    JobSubmitter(JobSettings settings, JobTopics topics) {
        this.settings = settings;
        this.topics = topics;
    }

    /** Writes them all or throws 503: a caller that got a batch id knows every job of it is on the topic. */
    void submit(String batch, List<Outgoing> jobs) {
        try {
            topics.ensure();
        } catch (IllegalStateException e) {
            throw ApiException.unavailable("the job queue is unavailable: " + InternalNames.scrub(e.getMessage()));
        }
        KafkaProducer<String, byte[]> p = producer();
        List<Future<RecordMetadata>> acks = new ArrayList<>(jobs.size());
        for (Outgoing job : jobs) {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(settings.requestsTopic(), job.id(), job.value());
            JobHeaders.contentType(r.headers(), job.contentType());
            JobHeaders.priority(r.headers(), job.priority());
            acks.add(p.send(r));
        }
        try {
            for (Future<RecordMetadata> ack : acks) {
                ack.get(45, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw ApiException.unavailable("the job queue did not take the jobs: "
                    + InternalNames.scrub(cause.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while submitting jobs");
        }
        for (Outgoing job : jobs) {
            queued.put(job.id(), job.batch());
        }
        batchSizes.asMap().merge(batch, jobs.size(), Integer::sum);
    }

    /** The batch of a job this gateway accepted. */
    Optional<String> queuedBatch(String id) {
        return Optional.ofNullable(queued.getIfPresent(id));
    }

    /** How many jobs this gateway accepted under the batch id, if it did. */
    Optional<Integer> batchSize(String batch) {
        return Optional.ofNullable(batchSizes.getIfPresent(batch));
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Properties props = IdempotentProducers.settings(settings.bootstrapServers(), "fovea-job-submitter");
            props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(64 << 20));
            producer = IdempotentProducers.create(props);
        }
        return producer;
    }

    synchronized void close(@Observes ShutdownEvent e) {
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(5));
            producer = null;
        }
    }
}
