package dev.fovea.gateway.batches;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.gateway.jobs.JobSettings;
import dev.fovea.gateway.jobs.TopicFollower;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * Every batch's latest state, from the compacted batches topic (key = batch id), which every gateway replica follows:
 * the topic is the state, so batches outlive any gateway. A record never replaces a later state with an earlier one
 * ({@link Batch#rank}), so a write that lost a race (a driver's progress after a cancel) cannot undo it.
 */
@ApplicationScoped
class BatchStore {
    private static final Logger LOG = Logger.getLogger(BatchStore.class);

    /** A batch and the batches topic's partition that holds it (its driver is that partition's owner). */
    record Entry(Batch batch, int partition) {
    }

    private final BatchSettings settings;
    private final JobSettings jobs;
    private final BatchTopics topics;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<String, Entry> batches = new ConcurrentHashMap<>();
    private final TopicFollower follower;
    private KafkaProducer<String, byte[]> producer;

    BatchStore(BatchSettings settings, JobSettings jobs, BatchTopics topics) {
        this.settings = settings;
        this.jobs = jobs;
        this.topics = topics;
        this.follower = new TopicFollower("batches", jobs.bootstrapServers(), settings.batchesTopic(), topics::ensure,
                this::accept);
    }

    void start(@Observes StartupEvent e) {
        if (jobs.enabled()) {
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

    /** Whether every batch written before this gateway started is known: a driver acts only then. */
    boolean caughtUp() {
        return follower.caughtUp();
    }

    Optional<Batch> get(String id) {
        return Optional.ofNullable(batches.get(id)).map(Entry::batch);
    }

    List<Entry> all() {
        return new ArrayList<>(batches.values());
    }

    /** Writes the batch's new state; answers once the broker has it (else a 503), with the state now held. */
    Batch put(Batch batch) {
        BatchProducers.ensure(topics);
        byte[] value = batch.json().toString().getBytes(StandardCharsets.UTF_8);
        RecordMetadata written = BatchProducers.await(producer().send(
                new ProducerRecord<>(settings.batchesTopic(), batch.id(), value)), "the batch");
        return apply(batch, written.partition()).batch();
    }

    private Entry apply(Batch batch, int partition) {
        return batches.merge(batch.id(), new Entry(batch, partition), (held, incoming) ->
                Batch.rank(incoming.batch().status()) >= Batch.rank(held.batch().status()) ? incoming : held);
    }

    private void accept(ConsumerRecord<String, byte[]> r) {
        if (r.key() == null) {
            return;
        }
        if (r.value() == null) {
            batches.remove(r.key());
            return;
        }
        try {
            JsonNode node = mapper.readTree(r.value());
            if (node != null && node.isObject()) {
                apply(Batch.of(node), r.partition());
            }
        } catch (IOException e) {
            LOG.warnf("batch record %s is not JSON; ignored", r.key());
        }
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = BatchProducers.create(jobs.bootstrapServers(), "fovea-batches");
        }
        return producer;
    }
}
