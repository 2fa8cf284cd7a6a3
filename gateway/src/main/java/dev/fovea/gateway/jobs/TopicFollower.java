package dev.fovea.gateway.jobs;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads every partition of a (compacted) topic from the beginning on a thread of its own and hands each committed
 * record to a sink, then keeps following it: what every gateway replica needs to answer from the same state (job
 * cancellations, files, batches). Any Kafka failure starts the read over from the beginning after 2 s, so sinks must
 * accept a record twice.
 */
public final class TopicFollower {
    private static final Logger LOG = Logger.getLogger(TopicFollower.class);

    private final String name;
    private final String bootstrapServers;
    private final String topic;
    private final Runnable ensureTopic;
    private final Consumer<ConsumerRecord<String, byte[]>> sink;
    private volatile boolean running;
    /** True once every record that was on the topic when reading began has been handed over. */
    private volatile boolean caughtUp;
    private Thread thread;

    /** @param ensureTopic creates the topic when it is missing; throws while the broker cannot be reached */
    public TopicFollower(String name, String bootstrapServers, String topic, Runnable ensureTopic,
                         Consumer<ConsumerRecord<String, byte[]>> sink) {
        this.name = name;
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.ensureTopic = ensureTopic;
        this.sink = sink;
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = Thread.ofPlatform().daemon().name(name).start(this::run);
    }

    /** Not by interrupting: a Kafka client interrupted while it closes logs errors; a poll ends within 200 ms. */
    public void stop() {
        running = false;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the first read reached the end of the topic as it was then: state built from it is complete. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** Waits at most {@code limit} for {@link #caughtUp()}. */
    public boolean awaitCaughtUp(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!caughtUp && running && System.nanoTime() < deadline) {
            sleep(20);
        }
        return caughtUp;
    }

    private void run() {
        while (running) {
            try {
                ensureTopic.run();
                follow();
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warnf("%s: %s; reading %s again in 2 s", name, e.toString(), topic);
                    sleep(2000);
                }
            }
        }
    }

    private void follow() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "fovea-" + name);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(15)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (parts.isEmpty()) {
                sleep(200); // a topic just created: its metadata is on the way
                return;
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts, Duration.ofSeconds(15));
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    sink.accept(r);
                }
                if (!caughtUp && parts.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp))) {
                    caughtUp = true;
                }
            }
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
