package dev.fovea.gateway.backend;

import io.grpc.ConnectivityState;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which replicas to skip: one whose call failed as an unreachable, killed or stopping replica does (UNAVAILABLE, or a
 * connection closed under the call) is left out for {@code eject-for}, as is one whose channel is failing to connect.
 * When every replica is left out they are all tried anyway: a wrong guess costs one fast failure, skipping them all
 * would fail the request for certain.
 */
@ApplicationScoped
public class ReplicaHealth {
    private final GrpcChannels channels;
    private final long ejectNanos;
    private final Map<String, Long> ejectedUntil = new ConcurrentHashMap<>();

    ReplicaHealth(GrpcChannels channels, RoutingSettings settings) {
        this.channels = channels;
        this.ejectNanos = settings.ejectFor().toNanos();
    }

    /** Whether a failure with this status says the replica itself is gone or going (not the request's fault). */
    static boolean replicaGone(Status status) {
        return status.getCode() == Status.Code.UNAVAILABLE
                // grpc-netty's report of a connection that closed under a call before the transport learnt why
                // (a killed replica, seen as UNKNOWN "channel closed"): as gone as UNAVAILABLE
                || status.getCode() == Status.Code.UNKNOWN && status.getCause() instanceof ClosedChannelException;
    }

    void failed(String address) {
        ejectedUntil.put(address, System.nanoTime() + ejectNanos);
    }

    void succeeded(String address) {
        ejectedUntil.remove(address);
    }

    boolean usable(String address) {
        Long until = ejectedUntil.get(address);
        if (until != null) {
            if (System.nanoTime() - until < 0) {
                return false;
            }
            ejectedUntil.remove(address, until);
        }
        return channels.channel(address).getState(false) != ConnectivityState.TRANSIENT_FAILURE;
    }

    /** The usable ones of {@code replicas}, or all of them when none is. */
    List<String> usable(List<String> replicas) {
        List<String> ok = replicas.stream().filter(this::usable).toList();
        return ok.isEmpty() ? replicas : ok;
    }
}
