package dev.fovea.gateway.batches;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.jobs.JobSettings;
import dev.fovea.gateway.jobs.TopicFollower;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Files in Kafka, so every gateway replica serves every file and nothing lives on a replica's disk: the content in
 * chunks of {@value #CHUNK_BYTES} bytes (under any broker's default record limit) on the compacted content topic, all
 * in one partition; then one record on the compacted files topic with the file object and the chunks' offsets. Every
 * replica follows the files topic (metadata only) and reads a file's content by offset when asked. A file is visible
 * only once its content is durable; deleting writes tombstones for both.
 */
@ApplicationScoped
class FileStore {
    static final int CHUNK_BYTES = 512 * 1024;
    private static final Logger LOG = Logger.getLogger(FileStore.class);

    private final BatchSettings settings;
    private final JobSettings jobs;
    private final BatchTopics topics;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<String, StoredFile> files = new ConcurrentHashMap<>();
    /** Deleted here, tombstone not yet read back: an older record read meanwhile must not bring the file back. */
    private final Set<String> deleting = ConcurrentHashMap.newKeySet();
    private final TopicFollower follower;
    private KafkaProducer<String, byte[]> producer;

    FileStore(BatchSettings settings, JobSettings jobs, BatchTopics topics) {
        this.settings = settings;
        this.jobs = jobs;
        this.topics = topics;
        this.follower = new TopicFollower("batch-files", jobs.bootstrapServers(), settings.filesTopic(),
                topics::ensure, this::accept);
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

    Optional<StoredFile> get(String id) {
        return Optional.ofNullable(files.get(id));
    }

    List<StoredFile> all() {
        return new ArrayList<>(files.values());
    }

    /** Stores the content, then the file; answers once the broker has both. An existing id is replaced. */
    StoredFile put(String id, String filename, String purpose, byte[] content, int lines) {
        BatchProducers.ensure(topics);
        KafkaProducer<String, byte[]> p = producer();
        int partitions = p.partitionsFor(settings.fileContentTopic()).size();
        int partition = Math.floorMod(id.hashCode(), partitions);
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int from = 0, chunk = 0; from < content.length; from += CHUNK_BYTES, chunk++) {
            byte[] part = Arrays.copyOfRange(content, from, Math.min(content.length, from + CHUNK_BYTES));
            acks.add(p.send(new ProducerRecord<>(settings.fileContentTopic(), partition, chunkKey(id, chunk), part)));
        }
        List<Long> offsets = new ArrayList<>(acks.size());
        for (Future<RecordMetadata> ack : acks) {
            offsets.add(BatchProducers.await(ack, "the file's content").offset());
        }
        StoredFile file = new StoredFile(id, content.length, System.currentTimeMillis() / 1000, filename, purpose,
                lines, partition, offsets);
        byte[] record;
        try {
            record = mapper.writeValueAsBytes(file.record(mapper));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        BatchProducers.await(p.send(new ProducerRecord<>(settings.filesTopic(), id, record)), "the file");
        deleting.remove(id);
        files.put(id, file);
        return file;
    }

    /** The file's content, read from its chunks' offsets. */
    byte[] content(StoredFile file) {
        List<Long> offsets = file.offsets();
        if (offsets.isEmpty()) {
            return new byte[0];
        }
        Map<Long, Integer> wanted = new HashMap<>();
        for (int i = 0; i < offsets.size(); i++) {
            wanted.put(offsets.get(i), i);
        }
        long first = offsets.stream().mapToLong(Long::longValue).min().orElseThrow();
        long last = offsets.stream().mapToLong(Long::longValue).max().orElseThrow();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, jobs.bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "fovea-file-reader");
        byte[][] chunks = new byte[offsets.size()][];
        int found = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(settings.fileContentTopic(), file.partition());
            consumer.assign(List.of(tp));
            consumer.seek(tp, first);
            while (found < chunks.length) {
                if (System.nanoTime() > deadline) {
                    throw ApiException.unavailable("reading the content of " + file.id() + " took over 60 s");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Integer i = wanted.get(r.offset());
                    if (i != null && chunks[i] == null && r.value() != null && chunkKey(file.id(), i).equals(r.key())) {
                        chunks[i] = r.value();
                        found++;
                    }
                }
                if (found < chunks.length && consumer.position(tp) > last) {
                    LOG.errorf("file %s: %d of its %d chunks are missing from %s", file.id(), chunks.length - found,
                            chunks.length, tp);
                    throw new ApiException(500, "server_error", "the content of " + file.id() + " is incomplete",
                            null, "file_content_missing");
                }
            }
        }
        byte[] content = new byte[Math.toIntExact(file.bytes())];
        int at = 0;
        for (byte[] chunk : chunks) {
            System.arraycopy(chunk, 0, content, at, chunk.length);
            at += chunk.length;
        }
        return content;
    }

    /** Tombstones: the file first (nobody finds it any more), then its chunks. */
    void delete(StoredFile file) {
        BatchProducers.ensure(topics);
        KafkaProducer<String, byte[]> p = producer();
        BatchProducers.await(p.send(new ProducerRecord<>(settings.filesTopic(), file.id(), null)), "the deletion");
        deleting.add(file.id());
        files.remove(file.id());
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < file.offsets().size(); i++) {
            acks.add(p.send(new ProducerRecord<>(settings.fileContentTopic(), file.partition(), chunkKey(file.id(), i),
                    null)));
        }
        acks.forEach(ack -> BatchProducers.await(ack, "the deletion"));
    }

    private static String chunkKey(String id, int chunk) {
        return id + "/" + chunk;
    }

    private void accept(ConsumerRecord<String, byte[]> r) {
        if (r.key() == null) {
            return;
        }
        if (r.value() == null) {
            files.remove(r.key());
            deleting.remove(r.key());
            return;
        }
        if (deleting.contains(r.key())) {
            return;
        }
        try {
            files.put(r.key(), StoredFile.fromRecord(mapper.readTree(r.value())));
        } catch (IOException e) {
            LOG.warnf("file record %s is not JSON; ignored", r.key());
        }
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = BatchProducers.create(jobs.bootstrapServers(), "fovea-files");
        }
        return producer;
    }
}
