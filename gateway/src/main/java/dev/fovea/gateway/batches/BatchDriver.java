package dev.fovea.gateway.batches;

import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.jobs.JobQueue;
import dev.fovea.gateway.openai.JsonBodies;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Drives batches on every gateway with the job API. The gateways are members of one consumer group on the batches
 * topic; a member drives the batches whose records lie in the partitions it is assigned, so each batch has one driver
 * and a batch whose gateway died is taken over by another once the group notices (driver-session-timeout). The
 * consumer only holds the assignment: the state comes from {@link BatchStore}, and the driver acts once that has read
 * the whole topic. Steps are idempotent, so two drivers during a rebalance do no harm.
 */
@ApplicationScoped
class BatchDriver implements ConsumerRebalanceListener {
    private static final Logger LOG = Logger.getLogger(BatchDriver.class);

    private final BatchSettings settings;
    private final JobQueue jobs;
    private final BatchStore store;
    private final BatchTopics topics;
    private final BatchLifecycle lifecycle;
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private Thread thread;

    BatchDriver(BatchSettings settings, JobQueue jobs, BatchStore store, FileStore files, BatchTopics topics,
                JsonBodies bodies) {
        this.settings = settings;
        this.jobs = jobs;
        this.store = store;
        this.topics = topics;
        this.lifecycle = new BatchLifecycle(store, files, jobs, settings, bodies.mapper());
    }

    void start(@Observes StartupEvent e) {
        if (!jobs.enabled()) {
            return;
        }
        running = true;
        thread = Thread.ofPlatform().daemon().name("batch-driver").start(this::loop);
    }

    /** Not by interrupting: a Kafka consumer interrupted while it leaves its group logs errors. */
    void stop(@Observes ShutdownEvent e) {
        running = false;
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        while (running) {
            try {
                topics.ensure();
                session();
            } catch (RuntimeException e) {
                owned.clear();
                if (running) {
                    LOG.warnf("batch driver: %s; joining again in 2 s", e.toString());
                    sleep(2000);
                }
            }
        }
    }

    private void session() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, jobs.settings().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.driverGroup());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "fovea-batch-driver");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                Long.toString(settings.driverSessionTimeout().toMillis()));
        // finalizing a large batch (reading every result, writing the files) happens between two polls
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Long.toString(Duration.ofMinutes(15).toMillis()));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(settings.batchesTopic()), this);
            while (running) {
                consumer.poll(settings.driverInterval()); // the records are BatchStore's; this keeps the assignment
                if (store.caughtUp()) {
                    round();
                }
            }
        } finally {
            owned.clear();
        }
    }

    private void round() {
        for (BatchStore.Entry entry : store.all()) {
            if (!running || !owned.contains(entry.partition()) || entry.batch().terminal()) {
                continue;
            }
            try {
                lifecycle.advance(store.get(entry.batch().id()).orElse(entry.batch()));
            } catch (ApiException e) {
                LOG.warnf("batch %s: %s; trying again", entry.batch().id(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.errorf(e, "batch %s: a step failed unexpectedly; trying again", entry.batch().id());
            }
        }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> owned.add(tp.partition()));
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> owned.remove(tp.partition()));
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        onPartitionsRevoked(partitions);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
