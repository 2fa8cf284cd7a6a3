package dev.fovea.gateway.jobs;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** {@code fovea.jobs.*}: the Kafka job queue (docs/jobs.md). Off unless enabled. */
@ConfigMapping(prefix = "fovea.jobs")
public interface JobSettings {
    /** The job API (POST/GET /v1/jobs, gRPC JobService) and the results view. */
    @WithDefault("false")
    boolean enabled();

    @WithDefault("127.0.0.1:9092")
    String bootstrapServers();

    @WithDefault("fovea.jobs.requests")
    String requestsTopic();

    /** Compacted: the latest record per job id is its result. */
    @WithDefault("fovea.jobs.results")
    String resultsTopic();

    @WithDefault("fovea.jobs.dead-letter")
    String deadLetterTopic();

    /** Compacted: job batches whose jobs not yet started are not to run (key = batch id). */
    @WithDefault("fovea.jobs.cancellations")
    String cancellationsTopic();

    /** Partitions of the topics the gateway creates when they are missing (the requests topic bounds the workers). */
    @WithDefault("4")
    int partitions();

    /** Jobs in one submission (one POST or SubmitJobs call). */
    @WithDefault("10000")
    int maxJobsPerSubmission();

    /** Results the view keeps in memory for GET /v1/jobs (the topic keeps them all). */
    @WithDefault("200000")
    long viewMaxResults();

    Worker worker();

    interface Worker {
        /** Run jobs from the requests topic in this process. */
        @WithDefault("false")
        boolean enabled();

        @WithDefault("fovea-workers")
        String group();

        /**
         * Stable per worker instance: the transactional id and static group membership, so a restarted worker
         * fences its dead predecessor's open transaction and takes its partitions back at once. Default: host name.
         */
        Optional<String> id();

        /** Jobs running at once; fetching pauses while this many (and as many again queued) are held. */
        @WithDefault("8")
        int maxInFlight();

        @WithDefault("500ms")
        Duration retryInitialBackoff();

        @WithDefault("20s")
        Duration retryMaxBackoff();

        /** Attempts of a job whose failures are transient, the first included, before it fails. */
        @WithDefault("20")
        int maxAttempts();

        /** How long transient failures (a backend unavailable) are retried before the job fails. */
        @WithDefault("10m")
        Duration retryFor();

        /** Consumer session timeout: how soon the group notices a worker that died. */
        @WithDefault("15s")
        Duration sessionTimeout();
    }
}
