package dev.fovea.gateway.batches;

import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.InternalNames;
import dev.fovea.gateway.jobs.IdempotentProducers;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;

/** The package's Kafka producers ({@link IdempotentProducers}) and how a write is awaited. */
final class BatchProducers {
    private BatchProducers() {
    }

    static KafkaProducer<String, byte[]> create(String bootstrapServers, String clientId) {
        Properties props = IdempotentProducers.settings(bootstrapServers, clientId);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        return IdempotentProducers.create(props);
    }

    /** The write's metadata once the broker has it; a 503 naming {@code what} when it does not take it. */
    static RecordMetadata await(Future<RecordMetadata> ack, String what) {
        try {
            return ack.get(45, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw ApiException.unavailable("Kafka did not take " + what + ": "
                    + InternalNames.scrub(cause.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while writing " + what);
        }
    }

    /** {@link BatchTopics#ensure()} as a 503 when the broker is away. */
    static void ensure(BatchTopics topics) {
        try {
            topics.ensure();
        } catch (IllegalStateException e) {
            throw ApiException.unavailable("the batch store is unavailable: " + InternalNames.scrub(e.getMessage()));
        }
    }
}
