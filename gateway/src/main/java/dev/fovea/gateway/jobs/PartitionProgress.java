package dev.fovea.gateway.jobs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The records of one partition a worker holds, in fetch order, and which have finished. Only the finished prefix
 * may be committed: committing offset n says every record before n is done, so a later record that finished first
 * waits for the earlier ones. Its result need not wait: a result is keyed by its job id and a job whose result
 * exists is skipped when it runs again, so results past the prefix are written as soon as they exist, and one slow
 * job (retrying a backend that is away) delays no other job's result. Single-threaded (the consumer's thread).
 */
final class PartitionProgress {
    private final Deque<Long> order = new ArrayDeque<>();
    private final Map<Long, Done> finished = new HashMap<>();

    void fetched(long offset) {
        order.addLast(offset);
    }

    /**
     * The first outcome of a record held now stands: a partition revoked and assigned back within a session is
     * fetched again while its earlier runs go on, so a record may finish twice, or after it was committed; those
     * later outcomes are dropped (with results written ahead of commits, taking them would write a second result).
     *
     * @param arrivedMs the record's timestamp, for the job latency
     */
    void finished(long offset, JobDisposition disposition, long arrivedMs) {
        if (finished.containsKey(offset) || !order.contains(offset)) {
            return;
        }
        finished.put(offset, new Done(offset, disposition, arrivedMs, false));
    }

    boolean isEmpty() {
        return order.isEmpty();
    }

    /** The finished prefix, removed; the offset to commit is the last one's + 1. */
    List<Done> takeFinishedPrefix() {
        List<Done> done = new ArrayList<>();
        while (!order.isEmpty() && finished.containsKey(order.peekFirst())) {
            done.add(finished.remove(order.pollFirst()));
        }
        return done;
    }

    /**
     * Finished records past the prefix whose results may be written now (those with a result; a record without a
     * job id has none and waits for its offset), in offset order; they are marked written and stay until the
     * prefix reaches them.
     */
    List<Done> takeEarlyResults() {
        List<Done> early = new ArrayList<>();
        for (Map.Entry<Long, Done> e : finished.entrySet()) {
            Done d = e.getValue();
            if (!d.written() && d.disposition().resultKey() != null) {
                early.add(d);
                e.setValue(new Done(d.offset(), d.disposition(), d.arrivedMs(), true));
            }
        }
        early.sort(Comparator.comparingLong(Done::offset));
        return early;
    }

    /** @param written its result went out ahead of its offset's commit */
    record Done(long offset, JobDisposition disposition, long arrivedMs, boolean written) {
    }
}
