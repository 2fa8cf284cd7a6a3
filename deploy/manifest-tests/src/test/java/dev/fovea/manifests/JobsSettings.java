package dev.fovea.manifests;

import java.util.List;
import java.util.Optional;

/**
 * The Kafka settings the gateway image reads (gateway and job worker): the environment names agreed with the jobs
 * and batches implementation, and the topic and group values of the gateway's application.properties
 * ({@code fovea.jobs.*-topic}, {@code fovea.batches.*-topic}, {@code fovea.jobs.worker.group}), or the agreed
 * defaults where a key is missing.
 */
record JobsSettings(String requestsTopic, String resultsTopic, String deadLetterTopic, String cancellationsTopic,
                    String filesTopic, String fileContentTopic, String batchesTopic, String group,
                    boolean fromGatewayConfig) {
    static final String BOOTSTRAP = "KAFKA_BOOTSTRAP_SERVERS";
    static final String ENABLED = "FOVEA_JOBS_ENABLED";
    static final String WORKER = "FOVEA_JOBS_WORKER";
    static final String REQUESTS_TOPIC = "FOVEA_JOBS_REQUESTS_TOPIC";
    static final String RESULTS_TOPIC = "FOVEA_JOBS_RESULTS_TOPIC";
    static final String DEAD_LETTER_TOPIC = "FOVEA_JOBS_DEAD_LETTER_TOPIC";
    static final String CANCELLATIONS_TOPIC = "FOVEA_JOBS_CANCELLATIONS_TOPIC";
    static final String FILES_TOPIC = "FOVEA_BATCHES_FILES_TOPIC";
    static final String FILE_CONTENT_TOPIC = "FOVEA_BATCHES_FILE_CONTENT_TOPIC";
    static final String BATCHES_TOPIC = "FOVEA_BATCHES_TOPIC";
    static final String GROUP = "FOVEA_JOBS_GROUP";
    /** The partitions of the topics the gateway creates when they are missing. */
    static final String PARTITIONS = "FOVEA_JOBS_PARTITIONS";
    /** The transactional id and static membership of one worker: unique per pod, so left to the host name. */
    static final String WORKER_ID = "FOVEA_JOBS_WORKER_ID";
    static final List<String> ENV = List.of(BOOTSTRAP, ENABLED, WORKER, REQUESTS_TOPIC, RESULTS_TOPIC,
            DEAD_LETTER_TOPIC, CANCELLATIONS_TOPIC, FILES_TOPIC, FILE_CONTENT_TOPIC, BATCHES_TOPIC, GROUP, PARTITIONS);

    static JobsSettings of(AppConfig gateway) {
        Optional<String> requests = gateway.value("fovea.jobs.requests-topic");
        Optional<String> results = gateway.value("fovea.jobs.results-topic");
        Optional<String> deadLetter = gateway.value("fovea.jobs.dead-letter-topic");
        Optional<String> cancellations = gateway.value("fovea.jobs.cancellations-topic");
        Optional<String> files = gateway.value("fovea.batches.files-topic");
        Optional<String> content = gateway.value("fovea.batches.file-content-topic");
        Optional<String> batches = gateway.value("fovea.batches.batches-topic");
        Optional<String> group = gateway.value("fovea.jobs.worker.group");
        return new JobsSettings(requests.orElse("fovea.jobs.requests"), results.orElse("fovea.jobs.results"),
                deadLetter.orElse("fovea.jobs.dead-letter"), cancellations.orElse("fovea.jobs.cancellations"),
                files.orElse("fovea.files"), content.orElse("fovea.files.content"), batches.orElse("fovea.batches"),
                group.orElse("fovea-workers"), requests.isPresent() && results.isPresent() && deadLetter.isPresent()
                && cancellations.isPresent() && files.isPresent() && content.isPresent() && batches.isPresent());
    }

    List<String> topics() {
        return List.of(requestsTopic, resultsTopic, deadLetterTopic, cancellationsTopic, filesTopic, fileContentTopic,
                batchesTopic);
    }

    /** The topics keyed by id whose latest record per key is the state (results, cancellations, files, batches). */
    List<String> compactedTopics() {
        return List.of(resultsTopic, cancellationsTopic, filesTopic, fileContentTopic, batchesTopic);
    }

    /** Each topic's environment variable on the gateway image. */
    java.util.Map<String, String> topicEnv() {
        return java.util.Map.of(REQUESTS_TOPIC, requestsTopic, RESULTS_TOPIC, resultsTopic, DEAD_LETTER_TOPIC,
                deadLetterTopic, CANCELLATIONS_TOPIC, cancellationsTopic, FILES_TOPIC, filesTopic, FILE_CONTENT_TOPIC,
                fileContentTopic, BATCHES_TOPIC, batchesTopic);
    }
}
