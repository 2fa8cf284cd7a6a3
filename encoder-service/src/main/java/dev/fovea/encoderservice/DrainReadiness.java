package dev.fovea.encoderservice;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready from the moment the replica drains, so Kubernetes takes it out of the headless Service's answers. */
@Readiness
@ApplicationScoped
class DrainReadiness implements HealthCheck {
    private final EncoderDrain drain;

    DrainReadiness(EncoderDrain drain) {
        this.drain = drain;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("drain").status(!drain.gate().draining())
                .withData("calls-in-flight", drain.gate().inside()).build();
    }
}
