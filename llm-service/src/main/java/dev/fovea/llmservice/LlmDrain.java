package dev.fovea.llmservice;

import dev.fovea.grpcsupport.DrainGate;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;

/**
 * Scale-down and rollouts without failed streams: when the process is asked to stop, this replica reports itself
 * draining (readiness DOWN, {@code Load.draining}), refuses new Generate and Embed calls with UNAVAILABLE, and lets
 * the running ones finish for up to {@code fovea.llm.drain-timeout} before the server stops.
 */
@ApplicationScoped
class LlmDrain {
    private final Duration timeout;
    private final DrainGate gate = new DrainGate("llm replica");

    LlmDrain(LlmSettings settings) {
        this.timeout = settings.drainTimeout();
    }

    DrainGate gate() {
        return gate;
    }

    /**
     * Quarkus's pre-shutdown phase ({@code quarkus.shutdown.delay-enabled=true}): it runs first on SIGTERM, before
     * any shutdown task, so the HTTP server and its gRPC route still carry the running streams while we wait.
     */
    void onPreShutdown(@Observes ShutdownDelayInitiatedEvent event) {
        drain(timeout);
    }

    /**
     * Where the pre-shutdown phase was not built in: drain at least before the scheduler closes. A replica that
     * drained in the pre-shutdown phase has nothing left to wait for.
     */
    void onShutdown(@Observes ShutdownEvent event) {
        if (!gate.draining()) {
            drain(timeout);
        }
    }

    /** Starts draining and returns once every call finished or was ended; the number ended. */
    int drain(Duration timeout) {
        return gate.drain(timeout);
    }
}
