package dev.fovea.gateway.backend;

import dev.fovea.gateway.pipeline.PipelineConfig;
import dev.fovea.gateway.pipeline.PipelineRegistry;
import dev.fovea.proto.v1.DescribeLlmRequest;
import dev.fovea.proto.v1.LlmServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when every pipeline's LLM has a replica that answers {@code Describe}; each replica is listed, and encoders
 * and adapters with their channel state, but they do not decide readiness (text requests need only the LLM, and
 * the gateway routes around a replica that is down).
 */
@Readiness
@ApplicationScoped
class BackendReadiness implements HealthCheck {
    private static final long PROBE_MS = 2000;

    private final PipelineRegistry registry;
    private final GrpcChannels channels;
    private final ReplicaDiscovery discovery;

    BackendReadiness(PipelineRegistry registry, GrpcChannels channels, ReplicaDiscovery discovery) {
        this.registry = registry;
        this.channels = channels;
        this.discovery = discovery;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("fovea-gateway backends").up();
        Set<List<String>> llms = new LinkedHashSet<>();
        Set<String> others = new LinkedHashSet<>();
        for (PipelineConfig p : registry.all()) {
            llms.add(p.llm());
            p.encoders().forEach(e -> others.addAll(discovery.replicas(e.replicas())));
            if (p.adapter() != null) {
                others.add(p.adapter().address());
            }
        }
        for (List<String> llm : llms) {
            boolean any = false;
            for (String replica : discovery.replicas(llm)) {
                try {
                    LlmServiceGrpc.newBlockingStub(channels.channel(replica))
                            .withDeadlineAfter(PROBE_MS, TimeUnit.MILLISECONDS)
                            .describe(DescribeLlmRequest.getDefaultInstance());
                    b.withData("llm " + replica, "UP");
                    any = true;
                } catch (StatusRuntimeException e) {
                    b.withData("llm " + replica, e.getStatus().getCode().name());
                }
            }
            if (!any) {
                b.down();
            }
        }
        for (String address : others) {
            ManagedChannel c = channels.channel(address);
            b.withData(address, c.getState(true).name());
        }
        return b.build();
    }
}
