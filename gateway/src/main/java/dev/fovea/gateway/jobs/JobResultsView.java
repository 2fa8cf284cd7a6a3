package dev.fovea.gateway.jobs;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Every committed result on the results topic, read from the beginning and kept up to date, so GET /v1/jobs can
 * answer by id or batch, and workers can skip a job that already has a result. Reads committed records only: a
 * worker's aborted transaction is never seen.
 */
@ApplicationScoped
class JobResultsView {
    private static final Logger LOG = Logger.getLogger(JobResultsView.class);

    private final JobSettings settings;
    private final JobTopics topics;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Cache<String, byte[]> results;
    /** Batch id → its jobs with a result → how each ended. */
    private final Cache<String, Map<String, JobOutcome>> batches;
    /** How far the view has read each results partition (its consumer's position after the records it took). */
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private volatile boolean running;
    private Thread thread;

    JobResultsView(JobSettings settings, JobTopics topics) {
        this.settings = settings;
        this.topics = topics;
        this.results = Caffeine.newBuilder().maximumSize(settings.viewMaxResults()).build();
        this.batches = Caffeine.newBuilder().maximumSize(Math.max(1000, settings.viewMaxResults() / 10)).build();
    }

    void start(@Observes StartupEvent e) {
        if (!settings.enabled() && !settings.worker().enabled()) {
            return;
        }
        running = true;
        thread = Thread.ofPlatform().daemon().name("job-results-view").start(this::run);
    }

    void stop(@Observes ShutdownEvent e) {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    Optional<byte[]> result(String id) {
        return Optional.ofNullable(results.getIfPresent(id));
    }

    /**
     * Waits (at most {@code limit}) until the view holds every result committed before {@code ends} (results
     * partition → offset, e.g. the partitions' last stable offsets now): a worker that starts jobs only then skips
     * every job whose result another worker already wrote. False when the limit passed first.
     */
    boolean awaitReached(Map<TopicPartition, Long> ends, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            boolean reached = ends.entrySet().stream()
                    .allMatch(e -> positions.getOrDefault(e.getKey(), -1L) >= e.getValue());
            if (reached) {
                return true;
            }
            if (System.nanoTime() > deadline || !running) {
                return false;
            }
            sleep(50);
        }
    }

    /** Ids of the batch's jobs that have a result. */
    List<String> batch(String batch) {
        Map<String, JobOutcome> ids = batches.getIfPresent(batch);
        return ids == null ? List.of() : ids.keySet().stream().sorted().toList();
    }

    /** How many of the batch's jobs have ended, by how. */
    JobTally tally(String batch) {
        Map<String, JobOutcome> ids = batches.getIfPresent(batch);
        if (ids == null) {
            return new JobTally(0, 0, 0);
        }
        int succeeded = 0;
        int cancelled = 0;
        int failed = 0;
        for (JobOutcome outcome : ids.values()) {
            switch (outcome) {
                case SUCCEEDED -> succeeded++;
                case CANCELLED -> cancelled++;
                case FAILED -> failed++;
            }
        }
        return new JobTally(succeeded, failed, cancelled);
    }

    private void run() {
        while (running) {
            try {
                topics.ensure();
                follow();
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warnf("job results view: %s; retrying in 2 s", e.toString());
                    sleep(2000);
                }
            }
        }
    }

    private void follow() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "fovea-job-results-view");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(settings.resultsTopic(), Duration.ofSeconds(15));
            List<TopicPartition> parts = infos.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    accept(r);
                }
                for (TopicPartition tp : parts) {
                    positions.put(tp, consumer.position(tp));
                }
            }
        }
    }

    private void accept(ConsumerRecord<String, byte[]> r) {
        if (r.key() == null || r.value() == null) {
            return;
        }
        results.put(r.key(), r.value());
        try {
            JsonNode node = mapper.readTree(r.value());
            String batch = node.path("batch").asText("");
            if (!batch.isEmpty()) {
                batches.get(batch, b -> new ConcurrentHashMap<>()).put(r.key(), JobOutcome.of(node));
            }
        } catch (IOException e) {
            LOG.debugf("result %s is not JSON: %s", r.key(), e.getMessage());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
