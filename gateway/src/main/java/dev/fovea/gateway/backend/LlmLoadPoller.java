package dev.fovea.gateway.backend;

import dev.fovea.gateway.pipeline.PipelineConfig;
import dev.fovea.gateway.pipeline.PipelineRegistry;
import dev.fovea.proto.v1.LlmServiceGrpc;
import dev.fovea.proto.v1.LoadRequest;
import dev.fovea.proto.v1.ReplicaLoad;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Asks every LLM replica for its {@code Load} every {@code load-poll}, for the prefix router's balance and to
 * stop sending to a replica that drains. Only pipelines with more than one replica are polled: one replica has no
 * choice to inform. A replica without the method (an older build) is not asked again.
 */
@ApplicationScoped
@Startup
class LlmLoadPoller {
    private final PipelineRegistry registry;
    private final ReplicaDiscovery discovery;
    private final GrpcChannels channels;
    private final ReplicaLoads loads;
    private final ReplicaHealth health;
    private final ScheduledExecutorService timer;
    private final Set<String> unsupported = ConcurrentHashMap.newKeySet();

    LlmLoadPoller(PipelineRegistry registry, ReplicaDiscovery discovery, GrpcChannels channels, ReplicaLoads loads,
                  ReplicaHealth health, RoutingSettings settings) {
        this.registry = registry;
        this.discovery = discovery;
        this.channels = channels;
        this.loads = loads;
        this.health = health;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("llm-load-poll")
                .unstarted(r));
        long every = Math.max(100, settings.loadPoll().toMillis());
        timer.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
    }

    private void poll() {
        Set<String> replicas = new LinkedHashSet<>();
        for (PipelineConfig p : registry.all()) {
            var resolved = discovery.replicas(p.llm());
            if (resolved.size() > 1) {
                replicas.addAll(resolved);
            }
        }
        for (String address : replicas) {
            if (unsupported.contains(address)) {
                continue;
            }
            LlmServiceGrpc.newStub(channels.channel(address)).withDeadlineAfter(2, TimeUnit.SECONDS)
                    .load(LoadRequest.getDefaultInstance(), new StreamObserver<>() {
                        @Override
                        public void onNext(ReplicaLoad load) {
                            loads.reported(address, load);
                        }

                        @Override
                        public void onError(Throwable t) {
                            Status s = Status.fromThrowable(t);
                            if (s.getCode() == Status.Code.UNIMPLEMENTED) {
                                unsupported.add(address);
                            } else if (ReplicaHealth.replicaGone(s)) {
                                health.failed(address);
                            }
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
        }
    }

    @PreDestroy
    void close() {
        timer.shutdownNow();
    }
}
