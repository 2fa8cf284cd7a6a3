package dev.fovea.gateway.backend;

import dev.fovea.proto.v1.ReplicaLoad;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How busy each replica is: this gateway's own calls in flight to it, and for LLM replicas what the replica last
 * reported through {@code Load} (which counts every gateway's sequences). A report older than a few polls is not
 * trusted: the replica may be gone, or its load may have changed.
 */
@ApplicationScoped
public class ReplicaLoads {
    /** LLM replicas that never reported decode this many sequences at once (the LLM service's default). */
    static final int DEFAULT_MAX_BATCH = 8;
    private static final long STALE_NANOS = 5_000_000_000L;

    private record Report(ReplicaLoad load, long at) {
    }

    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Report> reports = new ConcurrentHashMap<>();

    void started(String address) {
        inFlight.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
    }

    void finished(String address) {
        AtomicInteger n = inFlight.get(address);
        if (n != null) {
            n.decrementAndGet();
        }
    }

    int inFlight(String address) {
        AtomicInteger n = inFlight.get(address);
        return n == null ? 0 : Math.max(0, n.get());
    }

    void reported(String address, ReplicaLoad load) {
        reports.put(address, new Report(load, System.nanoTime()));
    }

    private ReplicaLoad fresh(String address) {
        Report r = reports.get(address);
        return r == null || System.nanoTime() - r.at() > STALE_NANOS ? null : r.load();
    }

    /** An LLM replica's sequences, running and queued: the larger of its report and this gateway's own count. */
    int llmLoad(String address) {
        ReplicaLoad r = fresh(address);
        return Math.max(inFlight(address), r == null ? 0 : r.getRunning() + r.getQueued());
    }

    /**
     * Whether a new sequence would have to wait there for a batch slot: its running and queued sequences fill its
     * batch. (A queue alone is not: a request waits there for the next step between prefills, a few milliseconds.)
     */
    boolean saturated(String address) {
        ReplicaLoad r = fresh(address);
        int maxBatch = r == null || r.getMaxBatch() <= 0 ? DEFAULT_MAX_BATCH : r.getMaxBatch();
        return llmLoad(address) >= maxBatch;
    }

    boolean draining(String address) {
        ReplicaLoad r = fresh(address);
        return r != null && r.getDraining();
    }

    /**
     * The most calls in flight a replica may hold and still take a new key, with {@code load} the replicas' total:
     * ⌈factor × (load + 1) / n⌉, so at least one replica is always under it.
     */
    static int bound(int load, int replicas, double factor) {
        return (int) Math.ceil(factor * (load + 1) / replicas);
    }

    int total(List<String> replicas, boolean llm) {
        int sum = 0;
        for (String r : replicas) {
            sum += llm ? llmLoad(r) : inFlight(r);
        }
        return sum;
    }
}
