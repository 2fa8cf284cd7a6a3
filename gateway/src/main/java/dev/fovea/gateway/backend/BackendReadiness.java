package dev.fovea.gateway.backend;

import dev.fovea.gateway.pipeline.PipelineConfig;
import dev.fovea.gateway.pipeline.PipelineRegistry;
import dev.fovea.proto.v1.DescribeLlmRequest;
import dev.fovea.proto.v1.LlmServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when every pipeline's LLM service answers {@code Describe}; encoders and adapters are listed with their
 * channel state but do not decide readiness (text requests need only the LLM).
 */
@Readiness
@ApplicationScoped
class BackendReadiness implements HealthCheck {
    private static final long PROBE_MS = 2000;

    private final PipelineRegistry registry;
    private final GrpcChannels channels;

    BackendReadiness(PipelineRegistry registry, GrpcChannels channels) {
        this.registry = registry;
        this.channels = channels;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("fovea-gateway backends").up();
        Set<String> llms = new LinkedHashSet<>();
        Set<String> others = new LinkedHashSet<>();
        for (PipelineConfig p : registry.all()) {
            llms.add(p.llm());
            p.encoders().forEach(e -> others.addAll(e.replicas()));
            if (p.adapter() != null) {
                others.add(p.adapter().address());
            }
        }
        for (String llm : llms) {
            try {
                LlmServiceGrpc.newBlockingStub(channels.channel(llm)).withDeadlineAfter(PROBE_MS, TimeUnit.MILLISECONDS)
                        .describe(DescribeLlmRequest.getDefaultInstance());
                b.withData("llm " + llm, "UP");
            } catch (StatusRuntimeException e) {
                b.withData("llm " + llm, e.getStatus().getCode().name()).down();
            }
        }
        for (String address : others) {
            ManagedChannel c = channels.channel(address);
            b.withData(address, c.getState(true).name());
        }
        return b.build();
    }
}
