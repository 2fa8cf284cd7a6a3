package dev.fovea.manifests;

import java.util.List;
import java.util.Optional;

/**
 * The Kafka job settings the gateway image reads (gateway and job worker): the environment names agreed with the
 * jobs implementation, and the topic and group values of the gateway's application.properties
 * ({@code fovea.jobs.*-topic}, {@code fovea.jobs.worker.group}), or the agreed defaults where a key is missing.
 */
record JobsSettings(String requestsTopic, String resultsTopic, String deadLetterTopic, String group,
                    boolean fromGatewayConfig) {
    static final String BOOTSTRAP = "KAFKA_BOOTSTRAP_SERVERS";
    static final String ENABLED = "FOVEA_JOBS_ENABLED";
    static final String WORKER = "FOVEA_JOBS_WORKER";
    static final String REQUESTS_TOPIC = "FOVEA_JOBS_REQUESTS_TOPIC";
    static final String RESULTS_TOPIC = "FOVEA_JOBS_RESULTS_TOPIC";
    static final String DEAD_LETTER_TOPIC = "FOVEA_JOBS_DEAD_LETTER_TOPIC";
    static final String GROUP = "FOVEA_JOBS_GROUP";
    /** The partitions of the topics the gateway creates when they are missing. */
    static final String PARTITIONS = "FOVEA_JOBS_PARTITIONS";
    /** The transactional id and static membership of one worker: unique per pod, so left to the host name. */
    static final String WORKER_ID = "FOVEA_JOBS_WORKER_ID";
    static final List<String> ENV = List.of(BOOTSTRAP, ENABLED, WORKER, REQUESTS_TOPIC, RESULTS_TOPIC,
            DEAD_LETTER_TOPIC, GROUP, PARTITIONS);

    static JobsSettings of(AppConfig gateway) {
        Optional<String> requests = gateway.value("fovea.jobs.requests-topic");
        Optional<String> results = gateway.value("fovea.jobs.results-topic");
        Optional<String> deadLetter = gateway.value("fovea.jobs.dead-letter-topic");
        Optional<String> group = gateway.value("fovea.jobs.worker.group");
        return new JobsSettings(requests.orElse("fovea.jobs.requests"), results.orElse("fovea.jobs.results"),
                deadLetter.orElse("fovea.jobs.dead-letter"), group.orElse("fovea-workers"),
                requests.isPresent() && results.isPresent() && deadLetter.isPresent());
    }

    List<String> topics() {
        return List.of(requestsTopic, resultsTopic, deadLetterTopic);
    }
}
