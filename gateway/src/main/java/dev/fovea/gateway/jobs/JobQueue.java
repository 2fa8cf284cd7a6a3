package dev.fovea.gateway.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The job queue as other parts of the gateway use it (the OpenAI batch API): submit jobs, read their results and a
 * batch's tally, cancel a batch. Jobs go through the same topic, workers and results as {@code POST /v1/jobs}.
 */
@ApplicationScoped
public class JobQueue {
    /**
     * A job to queue; its request is not checked here, the worker refuses an invalid one and its result says why.
     *
     * @param clientRef returned with the result (≤ 1024 characters)
     */
    public record Queued(String id, String clientRef, JsonNode request) {
    }

    private final JobSettings settings;
    private final JobSubmitter submitter;
    private final JobResultsView view;
    private final JobCancellations cancellations;
    private final JobMetrics metrics;
    private final ObjectMapper mapper = new ObjectMapper();

    JobQueue(JobSettings settings, JobSubmitter submitter, JobResultsView view, JobCancellations cancellations,
             JobMetrics metrics) {
        this.settings = settings;
        this.submitter = submitter;
        this.view = view;
        this.cancellations = cancellations;
        this.metrics = metrics;
    }

    /** Whether this gateway has the job API (fovea.jobs.enabled). */
    public boolean enabled() {
        return settings.enabled();
    }

    public JobSettings settings() {
        return settings;
    }

    /** Answers once the broker has them all (else a 503 ApiException); a job id queued again is run once. */
    public void submit(String batch, List<Queued> jobs, String api) {
        List<JobSubmitter.Outgoing> outgoing = new ArrayList<>(jobs.size());
        for (Queued q : jobs) {
            ObjectNode job = mapper.createObjectNode();
            job.put("id", q.id());
            job.put("batch", batch);
            job.put("client_ref", q.clientRef());
            job.set("request", q.request());
            try {
                outgoing.add(new JobSubmitter.Outgoing(q.id(), batch, mapper.writeValueAsBytes(job), JobHeaders.JSON,
                        0));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        submitter.submit(batch, outgoing);
        metrics.submitted(api, outgoing.size());
    }

    /** The job's result as the results topic holds it (docs/jobs.md), once it has one. */
    public Optional<JsonNode> result(String id) {
        return view.result(id).map(bytes -> {
            try {
                return mapper.readTree(bytes);
            } catch (IOException e) {
                return null; // not written by a worker
            }
        });
    }

    public JobTally tally(String batch) {
        return view.tally(batch);
    }

    /** Jobs of the batch not yet started will not run; returns when it was cancelled (Unix ms, the first time). */
    public long cancel(String batch) {
        return cancellations.cancel(batch);
    }

    public Optional<Long> cancelledAt(String batch) {
        return cancellations.cancelledAt(batch);
    }
}
