package dev.fovea.llmservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.testsupport.NeedsConformance;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A stream that outlasts the drain timeout is ended with UNAVAILABLE saying the request may be retried. */
@NeedsConformance
@QuarkusTest
@TestProfile(LlmDrainTimeoutTest.OwnApp.class)
class LlmDrainTimeoutTest {
    /** Not shared with LlmDrainTest's application (or any other): each drains its own replica. */
    public static class OwnApp implements QuarkusTestProfile {
    }

    @Inject
    LlmRuntime runtime;
    @Inject
    LlmDrain drain;

    @Test
    void aStreamStillRunningAfterTheTimeoutIsEndedAsRetryable() throws Exception {
        int[] prompt = runtime.model().tokenizer().encode("Once upon a time", true, true);
        try (DrainCalls calls = new DrainCalls(); HeldScheduler held = new HeldScheduler(runtime)) {
            DrainCalls.Stream stuck = calls.generate(DrainCalls.request(prompt, 6));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (drain.gate().inside() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            long start = System.nanoTime();
            assertThat(drain.drain(Duration.ofMillis(500))).as("calls ended").isEqualTo(1);
            assertThat(System.nanoTime() - start).as("waited for the timeout").isGreaterThanOrEqualTo(500_000_000L);
            assertThatThrownBy(() -> stuck.end().get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getStatus().getDescription()).startsWith("llm replica shut down")
                                .contains("Generate").endsWith("the request may be retried");
                    });
            assertThat(stuck.events()).as("no token got through while the scheduler was held").isEmpty();
        }
        // released: the ended sequence was cancelled, so it leaves the scheduler and the gate
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((drain.gate().inside() > 0 || runtime.scheduler().stats().running() > 0)
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(drain.gate().inside()).isZero();
        assertThat(runtime.scheduler().stats().running()).isZero();
    }
}
