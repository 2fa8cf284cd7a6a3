package dev.fovea.gateway.jobs;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * A job worker: one member of the consumer group on the requests topic ({@code fovea.jobs.worker.enabled}).
 *
 * <p>Jobs run concurrently (at most {@code max-in-flight}); fetching pauses while the worker holds twice that many
 * and resumes below it. Each partition's finished prefix is written — results, dead letters — in one Kafka
 * transaction together with the consumer offset after it, so a worker killed at any point leaves either both or
 * neither, and the job runs again elsewhere. A job that finishes behind a slower one gets its result written at
 * once (a job whose result exists is skipped when it runs again), so no job waits for another's retries. Any
 * Kafka failure (a broker restart, a fenced producer) ends the session; a new one starts from the committed
 * offsets, and what was running is run again.
 */
@ApplicationScoped
class JobWorker {
    private static final Logger LOG = Logger.getLogger(JobWorker.class);

    private final JobSettings settings;
    private final JobRunner runner;
    private final JobMetrics metrics;
    private final JobTopics topics;
    private final JobResultsView view;
    private final ExecutorService jobs = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean running;
    private Thread thread;
    private String workerId;

    JobWorker(JobSettings settings, JobRunner runner, JobMetrics metrics, JobTopics topics, JobResultsView view) {
        this.view = view;
        this.settings = settings;
        this.runner = runner;
        this.metrics = metrics;
        this.topics = topics;
    }

    void start(@Observes StartupEvent e) {
        if (!settings.worker().enabled()) {
            return;
        }
        workerId = settings.worker().id().filter(s -> !s.isBlank()).orElseGet(JobWorker::hostName);
        running = true;
        thread = Thread.ofPlatform().name("job-worker").start(this::loop);
        LOG.infof("job worker %s consuming %s (group %s, at most %d in flight)", workerId,
                settings.requestsTopic(), settings.worker().group(), settings.worker().maxInFlight());
    }

    void stop(@Observes ShutdownEvent e) {
        running = false;
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        jobs.shutdownNow();
    }

    private void loop() {
        while (running) {
            try (Session session = new Session()) {
                session.run();
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warnf("job worker session ended: %s; starting again from the committed offsets in 2 s",
                            e.toString());
                    sleep(2000);
                }
            }
        }
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "worker";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A fetched record waiting for a free slot; higher priority first, then fetch order. */
    private record Pending(ConsumerRecord<String, byte[]> record, int priority, long sequence) {
        TopicPartition partition() {
            return new TopicPartition(record.topic(), record.partition());
        }
    }

    /** A job's end, handed from its virtual thread to the consumer's; a null disposition means abandoned. */
    private record Finished(Pending pending, JobDisposition disposition) {
    }

    /** One consumer + transactional producer pair; thrown away whole on any Kafka failure. */
    private final class Session implements AutoCloseable, ConsumerRebalanceListener {
        private final KafkaConsumer<String, byte[]> consumer;
        private final KafkaProducer<String, byte[]> producer;
        private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
        private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
        private final PriorityQueue<Pending> waiting = new PriorityQueue<>(
                Comparator.comparingInt(Pending::priority).reversed().thenComparingLong(Pending::sequence));
        private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean open = new AtomicBoolean(true);
        private int inFlight;
        private long sequence;

        Session() {
            topics.ensure();
            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
            c.put(ConsumerConfig.GROUP_ID_CONFIG, settings.worker().group());
            // static membership: a restarted worker takes its partitions back without waiting for a rebalance
            c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, workerId);
            c.put(ConsumerConfig.CLIENT_ID_CONFIG, "fovea-worker-" + workerId);
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(Math.max(1, settings.worker().maxInFlight())));
            c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                    Long.toString(settings.worker().sessionTimeout().toMillis()));
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "fovea-worker-" + workerId);
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.CLIENT_ID_CONFIG, "fovea-worker-" + workerId);
            // a transaction left open by a worker that died under another name blocks readers this long at most
            p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "30000");
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
            p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(64 << 20));
            consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
            try {
                producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
            } catch (RuntimeException e) {
                consumer.close(Duration.ZERO);
                throw e;
            }
        }

        void run() {
            // fences any earlier producer with this worker's id and aborts the transaction it left open
            producer.initTransactions();
            consumer.subscribe(List.of(settings.requestsTopic()), this);
            int max = Math.max(1, settings.worker().maxInFlight());
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(inFlight > 0 ? 20 : 200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    progress.computeIfAbsent(tp, k -> new PartitionProgress()).fetched(r.offset());
                    waiting.add(new Pending(r, JobHeaders.priority(r.headers()), sequence++));
                }
                collect();
                startJobs(max);
                commitFinished();
                int held = inFlight + waiting.size();
                if (held >= 2 * max) {
                    consumer.pause(consumer.assignment());
                } else if (held < max && !consumer.paused().isEmpty()) {
                    consumer.resume(consumer.paused());
                }
                long lag = 0;
                for (TopicPartition tp : consumer.assignment()) {
                    lag += consumer.currentLag(tp).orElse(0);
                }
                metrics.lag(lag + waiting.size());
            }
            // shutting down: what is finished gets written; the rest runs again elsewhere
            collect();
            commitFinished();
        }

        private void startJobs(int max) {
            while (inFlight < max && !waiting.isEmpty()) {
                Pending p = waiting.poll();
                TopicPartition tp = p.partition();
                if (!owned.contains(tp)) {
                    continue;
                }
                inFlight++;
                metrics.started();
                jobs.submit(() -> {
                    JobDisposition d = null;
                    try {
                        d = runner.run(p.record(), workerId, () -> running && open.get() && owned.contains(tp));
                    } catch (JobAbandonedException e) {
                        LOG.debugf("job at %s/%d abandoned", tp, p.record().offset());
                    } catch (RuntimeException e) {
                        LOG.errorf(e, "job at %s/%d failed unexpectedly", tp, p.record().offset());
                    } finally {
                        metrics.ended();
                    }
                    finished.add(new Finished(p, d));
                });
            }
        }

        private void collect() {
            Finished f;
            while ((f = finished.poll()) != null) {
                inFlight--;
                TopicPartition tp = f.pending().partition();
                PartitionProgress pp = progress.get(tp);
                if (pp == null || !owned.contains(tp)) {
                    continue; // its partition went to another worker, which runs it again
                }
                if (f.disposition() == null) {
                    throw new IllegalStateException("a job at " + tp + "/" + f.pending().record().offset()
                            + " ended without an outcome");
                }
                pp.finished(f.pending().record().offset(), f.disposition(), f.pending().record().timestamp());
            }
        }

        /**
         * In one transaction: every partition's finished prefix (results and dead letters not yet written, and the
         * offset after it), and the results that finished past a prefix (they are not held back by an earlier job).
         */
        private void commitFinished() {
            List<PartitionProgress.Done> toWrite = new ArrayList<>();
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            progress.forEach((tp, pp) -> {
                List<PartitionProgress.Done> done = pp.takeFinishedPrefix();
                if (!done.isEmpty()) {
                    offsets.put(tp, new OffsetAndMetadata(done.getLast().offset() + 1));
                    done.stream().filter(d -> !d.written()).forEach(toWrite::add);
                }
                toWrite.addAll(pp.takeEarlyResults());
            });
            if (offsets.isEmpty() && toWrite.isEmpty()) {
                return;
            }
            try {
                producer.beginTransaction();
                for (PartitionProgress.Done d : toWrite) {
                    send(d.disposition());
                }
                if (!offsets.isEmpty()) {
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                }
                producer.commitTransaction();
            } catch (KafkaException e) {
                try {
                    producer.abortTransaction();
                } catch (KafkaException ignored) {
                    // the session is thrown away either way
                }
                throw e;
            }
            long now = System.currentTimeMillis();
            for (PartitionProgress.Done d : toWrite) {
                metrics.finished(d.disposition().state(), now - d.arrivedMs());
                if (d.disposition().deadLettered()) {
                    metrics.deadLettered();
                }
            }
        }

        private void send(JobDisposition d) {
            if (d.result() != null) {
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(settings.resultsTopic(), d.resultKey(),
                        d.result());
                JobHeaders.contentType(r.headers(), JobHeaders.JSON);
                producer.send(r);
            }
            if (d.deadLettered()) {
                producer.send(new ProducerRecord<>(settings.deadLetterTopic(), null, d.deadLetterKey(),
                        d.deadLetterValue(), d.deadLetterHeaders()));
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                awaitResultsView();
            }
            owned.addAll(partitions);
        }

        /**
         * Results are written ahead of their offsets' commit, so a partition taken over may hold jobs whose results
         * exist: before running any, the results view catches up with every result committed so far, and the
         * runner then skips them instead of writing a second result.
         */
        private void awaitResultsView() {
            try {
                List<TopicPartition> results = consumer.partitionsFor(settings.resultsTopic(), Duration.ofSeconds(15))
                        .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                Map<TopicPartition, Long> ends = consumer.endOffsets(results, Duration.ofSeconds(15));
                if (!view.awaitReached(ends, Duration.ofSeconds(60))) {
                    LOG.warnf("the job results view did not catch up within 60 s; jobs whose results exist may "
                            + "be written again");
                }
            } catch (KafkaException e) {
                LOG.warnf("cannot read the results topic's end offsets (%s); jobs whose results exist may be "
                        + "written again", e.toString());
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // hand over cleanly: what is finished is committed before the partitions move
            collect();
            commitFinished();
            drop(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            drop(partitions);
        }

        private void drop(Collection<TopicPartition> partitions) {
            owned.removeAll(partitions);
            partitions.forEach(progress::remove);
            waiting.removeIf(p -> partitions.contains(p.partition()));
        }

        @Override
        public void close() {
            open.set(false);
            owned.clear();
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debugf("closing the consumer: %s", e);
            }
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debugf("closing the producer: %s", e);
            }
            metrics.lag(0);
        }
    }
}
