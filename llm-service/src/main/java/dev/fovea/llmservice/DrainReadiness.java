package dev.fovea.llmservice;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready from the moment the replica drains, so Kubernetes takes it out of the headless Service's answers. */
@Readiness
@ApplicationScoped
class DrainReadiness implements HealthCheck {
    private final LlmDrain drain;

    DrainReadiness(LlmDrain drain) {
        this.drain = drain;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("drain").status(!drain.gate().draining())
                .withData("calls-in-flight", drain.gate().inside()).build();
    }
}
