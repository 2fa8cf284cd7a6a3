package dev.fovea.gateway.batches;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.jobs.JobQueue;
import dev.fovea.gateway.jobs.JobTally;
import java.util.Optional;

/**
 * A batch as GET answers it: the stored state, with the request counts of a running batch read live from the job
 * results (the stored record changes only when the state does), and a cancellation shown at once, before the
 * batch's driver has written it.
 */
final class BatchProgress {
    private final JobQueue jobs;

    BatchProgress(JobQueue jobs) {
        this.jobs = jobs;
    }

    ObjectNode present(Batch batch) {
        ObjectNode n = batch.json();
        String status = batch.status();
        Optional<Long> cancelled = jobs.cancelledAt(batch.id());
        boolean expiring = batch.time("expired_at") != null;
        if (cancelled.isPresent() && !expiring
                && (status.equals(Batch.VALIDATING) || status.equals(Batch.IN_PROGRESS))) {
            n.put("status", Batch.CANCELLING);
            if (batch.time("cancelling_at") == null) {
                n.put("cancelling_at", cancelled.get() / 1000);
            }
        }
        if (Batch.rank(status) >= Batch.rank(Batch.IN_PROGRESS) && !batch.terminal()) {
            JobTally tally = jobs.tally(batch.id());
            ObjectNode counts = (ObjectNode) n.path("request_counts");
            counts.put("completed", tally.succeeded());
            counts.put("failed", tally.failed());
        }
        return n;
    }
}
