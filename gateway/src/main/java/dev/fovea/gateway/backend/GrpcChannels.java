package dev.fovea.gateway.backend;

import dev.fovea.gateway.pipeline.HostPort;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One plaintext channel per replica address, shared by all requests. Addresses are mostly pod IPs that
 * {@link ReplicaDiscovery} resolved; a name it could not resolve keeps its own channel, which then spreads over
 * whatever the name later resolves to (round_robin, not gRPC's default pick_first, which would pin one pod).
 */
@ApplicationScoped
public class GrpcChannels {
    /** Embeddings and features of several images fit (LLaVA-1.6: 2928 × 4096 F16 ≈ 24 MB per image). */
    private static final int MAX_INBOUND = 256 << 20;

    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Map<List<String>, AtomicLong> cursors = new ConcurrentHashMap<>();

    public ManagedChannel channel(String address) {
        return channels.computeIfAbsent(address, a -> {
            HostPort hp = HostPort.parse(a);
            return ManagedChannelBuilder.forTarget("dns:///" + hp).usePlaintext()
                    .defaultLoadBalancingPolicy("round_robin").maxInboundMessageSize(MAX_INBOUND).build();
        });
    }

    /** Closes the channel to an address that is no longer a replica; calls still running on it finish. */
    void retire(String address) {
        ManagedChannel c = channels.remove(address);
        if (c != null) {
            c.shutdown();
        }
    }

    /** The next replica of {@code replicas} in turn (the round-robin policy). */
    String nextReplica(List<String> replicas) {
        long n = cursors.computeIfAbsent(replicas, r -> new AtomicLong()).getAndIncrement();
        return replicas.get((int) Math.floorMod(n, (long) replicas.size()));
    }

    @PreDestroy
    void close() throws InterruptedException {
        channels.values().forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel c : channels.values()) {
            c.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
