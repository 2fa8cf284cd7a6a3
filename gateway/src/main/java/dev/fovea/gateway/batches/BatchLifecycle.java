package dev.fovea.gateway.batches;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.jobs.JobQueue;
import dev.fovea.gateway.jobs.JobTally;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Moves one batch a step on, as its driver calls it: a validating batch has its lines queued as jobs (ids derived
 * from the batch's, so a repeat queues nothing new) and goes in_progress, or fails when its file is gone or no longer
 * reads; a running batch whose every line has a result is finalized — its output and error files written, then the
 * end state; a cancelled one shows cancelling until the lines already started have finished; one past its
 * completion window is cancelled and ends expired. Every step is safe to repeat.
 */
final class BatchLifecycle {
    private static final Logger LOG = Logger.getLogger(BatchLifecycle.class);

    private final BatchStore store;
    private final FileStore files;
    private final JobQueue jobs;
    private final BatchSettings settings;
    private final ObjectMapper mapper;
    private final BatchOutput output;

    BatchLifecycle(BatchStore store, FileStore files, JobQueue jobs, BatchSettings settings, ObjectMapper mapper) {
        this.store = store;
        this.files = files;
        this.jobs = jobs;
        this.settings = settings;
        this.mapper = mapper;
        this.output = new BatchOutput(mapper, jobs);
    }

    void advance(Batch batch) {
        long now = System.currentTimeMillis() / 1000;
        Optional<Long> cancelled = jobs.cancelledAt(batch.id());
        switch (batch.status()) {
            case Batch.VALIDATING -> {
                if (cancelled.isPresent()) {
                    store.put(batch.with(n -> n.put("status", Batch.CANCELLED)
                            .put("cancelling_at", cancelled.get() / 1000).put("cancelled_at", now)));
                } else {
                    start(batch, now);
                }
            }
            case Batch.IN_PROGRESS, Batch.CANCELLING, Batch.FINALIZING -> run(batch, cancelled, now);
            default -> {
                // an end state: nothing to do
            }
        }
    }

    private void start(Batch batch, long now) {
        Optional<StoredFile> file = files.get(batch.inputFileId());
        if (file.isEmpty()) {
            fail(batch, now, "file_not_found", "the input file " + batch.inputFileId() + " no longer exists");
            return;
        }
        List<BatchLine> lines;
        try {
            lines = BatchInput.parse(files.content(file.get()), settings.maxRequests(), mapper);
        } catch (ApiException e) {
            if (e.status() >= 500) {
                throw e; // Kafka away: try again on the next round
            }
            fail(batch, now, e.code(), e.getMessage());
            return;
        }
        List<JobQueue.Queued> queued = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            BatchLine line = lines.get(i);
            queued.add(new JobQueue.Queued(BatchIds.job(batch.id(), i), line.customId(), line.body()));
        }
        jobs.submit(batch.id(), queued, "batch");
        store.put(batch.with(n -> {
            n.put("status", Batch.IN_PROGRESS);
            n.put("in_progress_at", now);
            ((ObjectNode) n.path("request_counts")).put("total", queued.size());
        }));
        LOG.infof("batch %s: %d requests queued", batch.id(), queued.size());
    }

    private void run(Batch batch, Optional<Long> cancelled, long now) {
        if (cancelled.isEmpty() && now >= batch.expiresAt() && batch.time("expired_at") == null) {
            long at = jobs.cancel(batch.id());
            batch = store.put(batch.with(n -> n.put("expired_at", now)));
            cancelled = Optional.of(at);
            LOG.infof("batch %s: past its completion window; requests not yet started will not run", batch.id());
        }
        JobTally tally = jobs.tally(batch.id());
        if (tally.ended() >= batch.total()) {
            finish(batch, cancelled, now);
        } else if (cancelled.isPresent() && batch.status().equals(Batch.IN_PROGRESS)
                && batch.time("expired_at") == null) {
            long at = cancelled.get() / 1000;
            store.put(batch.with(n -> n.put("status", Batch.CANCELLING).put("cancelling_at", at)));
        }
    }

    private void finish(Batch batch, Optional<Long> cancelled, long now) {
        if (!batch.status().equals(Batch.FINALIZING)) {
            batch = store.put(batch.with(n -> n.put("status", Batch.FINALIZING).put("finalizing_at", now)));
        }
        BatchOutput.Files out = output.build(batch);
        String id = batch.id();
        String outputId = out.succeeded() == 0 ? null
                : files.put(BatchIds.outputFile(id), id + "_output.jsonl", "batch_output", out.output(),
                        out.succeeded()).id();
        String errorId = out.failed() == 0 ? null
                : files.put(BatchIds.errorFile(id), id + "_error.jsonl", "batch_output", out.errors(),
                        out.failed()).id();
        long end = System.currentTimeMillis() / 1000;
        boolean expired = batch.time("expired_at") != null;
        String status = expired ? Batch.EXPIRED : cancelled.isPresent() ? Batch.CANCELLED : Batch.COMPLETED;
        boolean noCancellingTime = batch.time("cancelling_at") == null;
        store.put(batch.with(n -> {
            n.put("status", status);
            if (status.equals(Batch.COMPLETED)) {
                n.put("completed_at", end);
            } else if (status.equals(Batch.CANCELLED)) {
                if (noCancellingTime) {
                    n.put("cancelling_at", cancelled.get() / 1000);
                }
                n.put("cancelled_at", end);
            }
            n.put("output_file_id", outputId);
            n.put("error_file_id", errorId);
            ObjectNode counts = (ObjectNode) n.path("request_counts");
            counts.put("completed", out.succeeded());
            counts.put("failed", out.failed());
        }));
        LOG.infof("batch %s %s: %d succeeded, %d failed", id, status, out.succeeded(), out.failed());
    }

    private void fail(Batch batch, long now, String code, String message) {
        store.put(batch.with(n -> {
            n.put("status", Batch.FAILED);
            n.put("failed_at", now);
            ObjectNode errors = n.putObject("errors");
            errors.put("object", "list");
            ObjectNode error = errors.putArray("data").addObject();
            error.put("code", code);
            error.put("message", message);
            error.putNull("param");
            error.putNull("line");
        }));
        LOG.infof("batch %s failed: %s", batch.id(), message);
    }
}
