package dev.fovea.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/** The gateway's meters; model tags only ever carry configured ids, so clients cannot blow up cardinality. */
@ApplicationScoped
public class GatewayMetrics {
    private final MeterRegistry registry;

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One finished request: count and duration by model, front end, streaming and HTTP-style status. */
    public void request(String model, String api, boolean stream, int status, long nanos) {
        Timer.builder("fovea.gateway.requests").description("chat completion requests")
                .tags("model", model, "api", api, "stream", Boolean.toString(stream), "status", Integer.toString(status))
                .publishPercentileHistogram().register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** From the request's arrival to its first generated token (images, prompt and prefill included). */
    public void timeToFirstToken(String model, long nanos) {
        Timer.builder("fovea.gateway.time_to_first_token").tags("model", model).publishPercentileHistogram()
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void images(String model, int count) {
        DistributionSummary.builder("fovea.gateway.images_per_request").tags("model", model).register(registry)
                .record(count);
    }

    /** One backend RPC: which service, which method, and how it ended (a gRPC status code). */
    public void backendCall(String backend, String method, String outcome, long nanos) {
        Timer.builder("fovea.gateway.backend.duration").description("gRPC calls to the pipeline's services")
                .tags("backend", backend, "method", method, "outcome", outcome).publishPercentileHistogram()
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A request refused for its API key: which front end, and whether the key was missing or wrong. */
    public void authRejected(String api, String reason) {
        Counter.builder("fovea.gateway.auth.rejected").description("requests refused for a missing or wrong API key")
                .tags("api", api, "reason", reason).register(registry).increment();
    }

    /**
     * One routing decision: {@code backend} is {@code encoder} or {@code llm}; {@code decision} is {@code hashed} (the
     * key's own replica), {@code prefix} (the replica holding the prompt's prefix), {@code spilled} (the first
     * choice was past its load bound or saturated), {@code retried} (a replica failed and the next one took the call)
     * or {@code round-robin}.
     */
    public void routed(String backend, String decision) {
        Counter.builder("fovea.gateway.routing").description("routing decisions per backend kind")
                .tags("backend", backend, "decision", decision).register(registry).increment();
    }
}
