package dev.fovea.gateway.backend;

import dev.fovea.gateway.GatewayMetrics;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * What every call to a replica records, unary or streaming: it counts in the replica's load while in flight, its
 * duration and outcome go to the metrics, and its end tells {@link ReplicaHealth} whether the replica is there.
 */
@ApplicationScoped
class ReplicaCalls {
    private final ReplicaLoads loads;
    private final ReplicaHealth health;
    private final GatewayMetrics metrics;

    ReplicaCalls(ReplicaLoads loads, ReplicaHealth health, GatewayMetrics metrics) {
        this.loads = loads;
        this.health = health;
        this.metrics = metrics;
    }

    /** A call to {@code address} starts; returns its start time for {@link #ended}. */
    long started(String address) {
        loads.started(address);
        return System.nanoTime();
    }

    /** The call ended with {@code status} (OK for success); returns whether the replica turned out gone. */
    boolean ended(String backend, String method, String address, long start, Status status) {
        loads.finished(address);
        metrics.backendCall(backend, method, status.getCode().name(), System.nanoTime() - start);
        if (status.isOk()) {
            health.succeeded(address);
            return false;
        }
        boolean gone = ReplicaHealth.replicaGone(status);
        if (gone) {
            health.failed(address);
        }
        return gone;
    }
}
