package dev.fovea.gateway.jobs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The job queue's meters: what KEDA and people watch (lag, in flight) and how jobs end. */
@ApplicationScoped
class JobMetrics {
    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong lag = new AtomicLong();

    JobMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("fovea.jobs.in_flight", inFlight, AtomicInteger::get)
                .description("jobs this worker is running").register(registry);
        Gauge.builder("fovea.jobs.consumer_lag", lag, AtomicLong::get)
                .description("records of the requests topic not yet read by this worker's partitions")
                .register(registry);
    }

    void started() {
        inFlight.incrementAndGet();
    }

    void ended() {
        inFlight.decrementAndGet();
    }

    void lag(long records) {
        lag.set(records);
    }

    /** From the job's arrival on the topic to its result being committed, by final state. */
    void finished(String state, long millis) {
        Timer.builder("fovea.jobs.latency").tags("state", state).publishPercentileHistogram().register(registry)
                .record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    void retried() {
        Counter.builder("fovea.jobs.retries").description("runs repeated after a transient failure")
                .register(registry).increment();
    }

    void deadLettered() {
        Counter.builder("fovea.jobs.dead_letters").description("records sent to the dead-letter topic")
                .register(registry).increment();
    }

    void submitted(String api, int count) {
        Counter.builder("fovea.jobs.submitted").tags("api", api).register(registry).increment(count);
    }
}
