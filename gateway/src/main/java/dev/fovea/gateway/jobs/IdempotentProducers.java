package dev.fovea.gateway.jobs;

import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The gateway's Kafka producers for jobs, cancellations, files and batches: idempotent with acks=all (a write the
 * caller was told about is on every in-sync replica, and a retry never doubles it), bounded waits, string keys and
 * byte values. Callers add what differs (linger, request size).
 */
public final class IdempotentProducers {
    private IdempotentProducers() {
    }

    public static Properties settings(String bootstrapServers, String clientId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "40000");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return props;
    }

    public static KafkaProducer<String, byte[]> create(Properties settings) {
        return new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
    }
}
