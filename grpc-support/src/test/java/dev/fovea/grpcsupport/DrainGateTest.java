package dev.fovea.grpcsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DrainGateTest {
    private final DrainGate gate = new DrainGate("test replica");
    private final List<Status> ended = new CopyOnWriteArrayList<>();

    @Test
    void refusesNewCallsOnceDrainingWithARetryableStatus() {
        gate.enter("Encode", ended::add).close();
        CompletableFuture.runAsync(() -> gate.drain(Duration.ofSeconds(5))).join();
        assertThat(gate.draining()).isTrue();
        assertThatThrownBy(() -> gate.enter("Encode", ended::add))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).isEqualTo("test replica draining: it is shutting down"
                            + " and takes no new Encode calls; retry on another replica");
                });
        assertThat(gate.inside()).isZero();
    }

    @Test
    void waitsForTheCallsInsideAndReturnsWhenTheLastLeaves() throws Exception {
        DrainGate.Pass a = gate.enter("Generate", ended::add);
        DrainGate.Pass b = gate.enter("Generate", ended::add);
        CompletableFuture<Integer> drain = CompletableFuture.supplyAsync(() -> gate.drain(Duration.ofSeconds(30)));
        Thread.sleep(200);
        a.close();
        Thread.sleep(200);
        assertThat(drain).as("one call still inside").isNotDone();
        b.close();
        assertThat(drain.get(5, TimeUnit.SECONDS)).isZero();
        assertThat(ended).isEmpty();
    }

    @Test
    void endsWhatOutlastsTheTimeoutAndSaysItMayBeRetried() {
        DrainGate.Pass done = gate.enter("Generate", ended::add);
        gate.enter("Embed", ended::add);
        done.close();
        long start = System.nanoTime();
        assertThat(gate.drain(Duration.ofMillis(300))).isEqualTo(1);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
        assertThat(ended).singleElement().satisfies(s -> {
            assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(s.getDescription()).isEqualTo("test replica shut down before this Embed call finished"
                    + " (drain timeout 300 ms); the request may be retried");
        });
    }
}
