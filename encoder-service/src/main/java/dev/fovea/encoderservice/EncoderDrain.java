package dev.fovea.encoderservice;

import dev.fovea.grpcsupport.DrainGate;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;

/**
 * Scale-down and rollouts without failed Encode calls: when the process is asked to stop, this replica turns
 * readiness DOWN, refuses new Encode calls with UNAVAILABLE and lets the ones in flight finish for up to
 * {@code fovea.encoder.drain-timeout} before the server stops.
 */
@ApplicationScoped
class EncoderDrain {
    private final Duration timeout;
    private final DrainGate gate = new DrainGate("encoder replica");

    EncoderDrain(EncoderSettings settings) {
        this.timeout = settings.drainTimeout();
    }

    DrainGate gate() {
        return gate;
    }

    /**
     * Quarkus's pre-shutdown phase ({@code quarkus.shutdown.delay-enabled=true}) runs first on SIGTERM, before any
     * shutdown task: the HTTP server and its gRPC route still answer the calls in flight while we wait.
     */
    void onPreShutdown(@Observes ShutdownDelayInitiatedEvent event) {
        gate.drain(timeout);
    }

    /** Where the pre-shutdown phase was not built in: drain at least before the tower and the workers close. */
    void onShutdown(@Observes ShutdownEvent event) {
        if (!gate.draining()) {
            gate.drain(timeout);
        }
    }
}
