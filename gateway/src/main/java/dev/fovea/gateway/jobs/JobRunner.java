package dev.fovea.gateway.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewaySettings;
import dev.fovea.gateway.InternalNames;
import dev.fovea.gateway.chat.ChatCompletionRequest;
import dev.fovea.gateway.chat.ChatOrchestrator;
import dev.fovea.gateway.chat.ChatOutcome;
import dev.fovea.gateway.chat.ChatSink;
import dev.fovea.proto.v1.JobState;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * Runs one job through the same orchestration as a synchronous chat request. Invalid jobs (any 4xx: the gateway's
 * checks or a backend's INVALID_ARGUMENT) are rejected on their first attempt (dead letter, never retried); other
 * permanent failures fail at once; only transient ones (a backend unavailable, overloaded, a timeout) are retried
 * with exponential backoff, at most {@code fovea.jobs.worker.max-attempts} times and until
 * {@code fovea.jobs.worker.retry-for} or the job's deadline. A job of a cancelled batch ends {@code expired} without
 * running. A job without a seed gets one derived
 * from its id, so running it again (after a crash) samples the same tokens.
 */
@ApplicationScoped
class JobRunner {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(JobRunner.class);

    private final ChatOrchestrator orchestrator;
    private final JobSettings settings;
    private final GatewaySettings gateway;
    private final JobMetrics metrics;
    private final JobResultsView view;
    private final JobCancellations cancellations;
    private final ObjectMapper mapper = new ObjectMapper();
    private final JobCodec codec;
    private final JobResultJson results;

    JobRunner(ChatOrchestrator orchestrator, JobSettings settings, GatewaySettings gateway, JobMetrics metrics,
              JobResultsView view, JobCancellations cancellations) {
        this.cancellations = cancellations;
        this.orchestrator = orchestrator;
        this.settings = settings;
        this.gateway = gateway;
        this.metrics = metrics;
        this.view = view;
        this.codec = new JobCodec(mapper, gateway.maxMessages());
        this.results = new JobResultJson(mapper);
    }

    /**
     * @param wanted false once the worker gave the record up (its partition went elsewhere, or it shuts down): stops
     *               retrying
     */
    JobDisposition run(ConsumerRecord<String, byte[]> record, String workerId, BooleanSupplier wanted) {
        String fallbackId = record.key() != null && !record.key().isBlank() ? record.key()
                : "job-" + record.topic() + "-" + record.partition() + "-" + record.offset();
        JobEnvelope job;
        try {
            job = codec.decode(record.value(), JobHeaders.isProtobuf(record.headers()), fallbackId);
        } catch (InvalidJobException e) {
            return reject(record, workerId, e, null, 0);
        }
        if (view.result(job.id()).isPresent()) {
            // written before (by a worker that died before committing its offset elsewhere, or a duplicate)
            return new JobDisposition(null, null, null, null, null, "skipped");
        }
        long now = System.currentTimeMillis();
        if (cancellations.cancelledAt(job.batch()).isPresent()) {
            return result(job.id(), results.unsuccessful(job.id(), JobState.JOB_STATE_EXPIRED, job.batch(),
                    job.clientRef(), JobCancellations.CANCELLED_CODE,
                    "the job's batch was cancelled before a worker started it", 0, now), JobState.JOB_STATE_EXPIRED);
        }
        if (job.deadlineUnixMs() > 0 && now > job.deadlineUnixMs()) {
            return result(job.id(), results.unsuccessful(job.id(), JobState.JOB_STATE_EXPIRED, job.batch(),
                    job.clientRef(), "deadline_exceeded", "the deadline passed before a worker started the job", 0,
                    now), JobState.JOB_STATE_EXPIRED);
        }
        ChatCompletionRequest request = withStableSeed(job);
        long retryUntil = now + settings.worker().retryFor().toMillis();
        if (job.deadlineUnixMs() > 0) {
            retryUntil = Math.min(retryUntil, job.deadlineUnixMs());
        }
        long backoff = settings.worker().retryInitialBackoff().toMillis();
        for (int attempt = 1; ; attempt++) {
            ApiException failure;
            try {
                ChatOutcome outcome = execute(request, job.id());
                return result(job.id(), results.succeeded(job, outcome, attempt, System.currentTimeMillis()),
                        JobState.JOB_STATE_SUCCEEDED);
            } catch (ApiException e) {
                failure = e;
            }
            if (failure.status() < 500) {
                return reject(record, workerId, new InvalidJobException(InternalNames.scrub(failure.getMessage()),
                        failure.code() == null ? "invalid_request" : failure.code(), job.id()), job, attempt);
            }
            if (!transientFailure(failure)) {
                return result(job.id(), results.unsuccessful(job.id(), JobState.JOB_STATE_FAILED, job.batch(),
                        job.clientRef(), failure.code() == null ? "backend_error" : failure.code(),
                        InternalNames.scrub(failure.getMessage()), attempt, System.currentTimeMillis()), JobState.JOB_STATE_FAILED);
            }
            if (!wanted.getAsBoolean()) {
                throw new JobAbandonedException(job.id());
            }
            if (attempt >= settings.worker().maxAttempts() || System.currentTimeMillis() + backoff > retryUntil) {
                return result(job.id(), results.unsuccessful(job.id(), JobState.JOB_STATE_FAILED, job.batch(),
                        job.clientRef(), failure.code() == null ? "backend_error" : failure.code(),
                        "gave up after " + attempt + " attempts: " + InternalNames.scrub(failure.getMessage()), attempt,
                        System.currentTimeMillis()), JobState.JOB_STATE_FAILED);
            }
            metrics.retried();
            sleep(backoff);
            backoff = Math.min(backoff * 2, settings.worker().retryMaxBackoff().toMillis());
        }
    }

    /**
     * Only a backend that was away, overloaded or slow may do better later (503, 408, 429); a request the gateway or
     * a backend refused (4xx) is rejected, and any other failure (a backend's bug, 5xx) fails, both on this attempt.
     */
    private static boolean transientFailure(ApiException e) {
        return e.transientFailure();
    }

    private ChatOutcome execute(ChatCompletionRequest request, String jobId) {
        CompletableFuture<ChatOutcome> done = new CompletableFuture<>();
        ChatOrchestrator.Cancellation cancel = orchestrator.start(request, "job", false, new ChatSink() {
            @Override
            public void token(int id, String text) {
            }

            @Override
            public void finished(ChatOutcome outcome) {
                done.complete(outcome);
            }

            @Override
            public void failed(ApiException error) {
                done.completeExceptionally(error);
            }
        }, jobId);
        Duration limit = gateway.generateTimeout().plus(gateway.backendTimeout());
        try {
            return done.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ApiException a) {
                throw a;
            }
            LOG.errorf(e.getCause(), "job %s failed unexpectedly", jobId);
            throw ApiException.internal();
        } catch (TimeoutException e) {
            cancel.cancel();
            throw new ApiException(408, "timeout", "no result within " + limit, null, "timeout");
        } catch (InterruptedException e) {
            cancel.cancel();
            Thread.currentThread().interrupt();
            throw new JobAbandonedException("interrupted");
        }
    }

    private ChatCompletionRequest withStableSeed(JobEnvelope job) {
        ChatCompletionRequest r = job.request();
        if (r.sampling().seed() != null) {
            return r;
        }
        long seed = UUID.nameUUIDFromBytes(job.id().getBytes(StandardCharsets.UTF_8)).getMostSignificantBits()
                & Long.MAX_VALUE;
        return r.withSeed(seed);
    }

    private JobDisposition reject(ConsumerRecord<String, byte[]> record, String workerId, InvalidJobException e,
                                  JobEnvelope job, int attempts) {
        Headers headers = JobHeaders.deadLetter(record.headers(), e.getMessage(), e.code(),
                record.topic() + "/" + record.partition() + "/" + record.offset(), workerId);
        String id = e.jobId();
        byte[] result = null;
        if (id != null) {
            result = bytes(results.unsuccessful(id, JobState.JOB_STATE_REJECTED, job == null ? e.batch() : job.batch(),
                    job == null ? e.clientRef() : job.clientRef(), e.code(), e.getMessage(), attempts,
                    System.currentTimeMillis()));
        }
        return new JobDisposition(id, result, id != null ? id : record.key(),
                record.value() == null ? new byte[0] : record.value(), headers,
                JobResultJson.name(JobState.JOB_STATE_REJECTED));
    }

    private JobDisposition result(String id, ObjectNode result, JobState state) {
        return new JobDisposition(id, bytes(result), null, null, null, JobResultJson.name(state));
    }

    private byte[] bytes(ObjectNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobAbandonedException("interrupted");
        }
    }
}
