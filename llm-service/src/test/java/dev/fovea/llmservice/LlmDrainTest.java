package dev.fovea.llmservice;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import dev.fovea.proto.v1.EmbedRequest;
import dev.fovea.proto.v1.GenerateEvent;
import dev.fovea.proto.v1.LoadRequest;
import dev.fovea.testsupport.NeedsConformance;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a stopping replica does (the path SIGTERM takes, started here by calling the drain itself): readiness DOWN,
 * new Generate and Embed refused with UNAVAILABLE before any event, the running stream finishing normally.
 */
@NeedsConformance
@QuarkusTest
@TestProfile(LlmDrainTest.OwnApp.class)
class LlmDrainTest {
    /** The drain leaves the replica refusing calls: an application of its own, not shared with other tests. */
    public static class OwnApp implements QuarkusTestProfile {
    }

    @Inject
    LlmRuntime runtime;
    @Inject
    LlmDrain drain;

    @Test
    void aDrainingReplicaRefusesNewCallsAndLetsTheRunningStreamFinish() throws Exception {
        int[] prompt = runtime.model().tokenizer().encode("The quick brown fox", true, true);
        try (DrainCalls calls = new DrainCalls()) {
            given().get("/q/health/ready").then().statusCode(200);
            CompletableFuture<Integer> drained;
            DrainCalls.Stream running;
            try (HeldScheduler held = new HeldScheduler(runtime)) {
                running = calls.generate(DrainCalls.request(prompt, 6));
                awaitInside(1);
                // its own thread: the common pool may have a single thread, which RestAssured's Groovy needs
                drained = CompletableFuture.supplyAsync(() -> drain.drain(Duration.ofSeconds(60)),
                        r -> Thread.ofPlatform().start(r));
                while (!drain.gate().draining()) {
                    Thread.sleep(10);
                }

                given().get("/q/health/ready").then().statusCode(503).body("status", is("DOWN"))
                        .body("checks.name", hasItem("drain"));
                assertThat(calls.blocking.load(LoadRequest.getDefaultInstance()).getDraining()).isTrue();
                var refused = calls.generate(DrainCalls.request(prompt, 4));
                assertThatThrownBy(() -> refused.end().get(30, TimeUnit.SECONDS)).cause()
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                            assertThat(e.getStatus().getDescription()).startsWith("llm replica draining:")
                                    .contains("Generate").endsWith("retry on another replica");
                        });
                assertThat(refused.events()).as("refused before any event").isEmpty();
                assertThatThrownBy(() -> calls.blocking.embed(EmbedRequest.newBuilder().setText("hi").build()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                            assertThat(e.getStatus().getDescription()).contains("draining").contains("Embed");
                        });
                assertThat(running.end()).as("the running stream waits for the scheduler").isNotDone();
                assertThat(drained).as("the drain waits for the running stream").isNotDone();
            }
            running.end().get(60, TimeUnit.SECONDS);
            assertThat(running.events()).filteredOn(GenerateEvent::hasToken).hasSize(6);
            assertThat(running.events().getLast().getFinished().getCompletionTokens()).isEqualTo(6);
            assertThat(drained.get(60, TimeUnit.SECONDS)).as("calls the drain had to end").isZero();
            assertThat(drain.gate().inside()).isZero();
        }
    }

    private void awaitInside(int calls) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (drain.gate().inside() < calls) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the stream never reached the service");
            }
            Thread.sleep(10);
        }
    }
}
