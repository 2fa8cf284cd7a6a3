package dev.fovea.gateway;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The records of one partition a worker holds, in fetch order, and which have finished. Only the finished prefix
 * may be written and committed: committing offset n says every record before n is done, so a later record that
 * finished first waits for the earlier ones. Single-threaded (the consumer's thread).
 */
final class PartitionProgress {
    private final Deque<Long> order = new ArrayDeque<>();
    private final Map<Long, Done> finished = new HashMap<>();

    void fetched(long offset) {
        order.addLast(offset);
    }

    /** @param arrivedMs the record's timestamp, for the job latency */
    void finished(long offset, JobDisposition disposition, long arrivedMs) {
        finished.put(offset, new Done(offset, disposition, arrivedMs));
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

    record Done(long offset, JobDisposition disposition, long arrivedMs) {
    }
}
