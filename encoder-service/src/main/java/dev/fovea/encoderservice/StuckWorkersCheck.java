package dev.fovea.encoderservice;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while an image worker is stuck past its deadline, so Kubernetes and the gateway send images elsewhere
 * until the stuck work comes back (liveness stays up: the process is fine, one decode is slow).
 */
@Readiness
@ApplicationScoped
class StuckWorkersCheck implements HealthCheck {
    private final EncoderRuntime runtime;

    StuckWorkersCheck(EncoderRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public HealthCheckResponse call() {
        var stuck = runtime.workers().stuck();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("image-workers").status(stuck.isEmpty())
                .withData("threads", runtime.workers().threads())
                .withData("deadline-ms", runtime.workers().deadline().toMillis());
        for (int i = 0; i < stuck.size(); i++) {
            b.withData("stuck-" + i, stuck.get(i).what() + ", " + stuck.get(i).overdueMillis() + " ms past the deadline");
        }
        return b.build();
    }
}
