package dev.fovea.encoderservice;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.hasItem;

import com.google.protobuf.ByteString;
import dev.fovea.proto.v1.EncodeRequest;
import dev.fovea.proto.v1.EncodeResponse;
import dev.fovea.proto.v1.EncoderServiceGrpc;
import dev.fovea.proto.v1.ImageInput;
import dev.fovea.testsupport.NeedsConformance;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A stopping encoder (the drain SIGTERM starts, called here directly): readiness DOWN, new Encode calls refused with
 * UNAVAILABLE, the call in flight answered with its features.
 */
@NeedsConformance
@QuarkusTest
@TestProfile(EncoderDrainTest.OwnApp.class)
class EncoderDrainTest {
    /** Its own application (the drain leaves it refusing calls) with one decode thread, which the test occupies. */
    public static class OwnApp implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fovea.encoder.decode-workers", "1", "fovea.encoder.decode-timeout", "120s");
        }
    }

    @Inject
    EncoderDrain drain;
    @Inject
    EncoderRuntime runtime;

    @Test
    void aDrainingEncoderRefusesNewCallsAndAnswersTheOneInFlight() throws Exception {
        int port = io.restassured.RestAssured.port;
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            byte[] png = Files.readAllBytes(Path.of(System.getProperty("fovea.shared.dir"),
                    "conformance/images/shapes56.png"));
            EncodeRequest request = EncodeRequest.newBuilder().addImages(ImageInput.newBuilder()
                    .setEncoded(ByteString.copyFrom(png))).build();
            // the only decode thread is busy until released: the call's image waits in the queue, in flight
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Boolean> busy = runtime.workers().submit("the test's hold", () -> release.await(120,
                    TimeUnit.SECONDS));
            var inFlight = EncoderServiceGrpc.newFutureStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS)
                    .encode(request);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (drain.gate().inside() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // its own thread: the common pool may have a single thread, which RestAssured's Groovy needs
            CompletableFuture<Integer> drained = CompletableFuture.supplyAsync(() -> drain.gate()
                    .drain(Duration.ofSeconds(120)), r -> Thread.ofPlatform().start(r));
            while (!drain.gate().draining()) {
                Thread.sleep(10);
            }

            given().get("/q/health/ready").then().statusCode(503).body("checks.name", hasItem("drain"));
            assertThatThrownBy(() -> EncoderServiceGrpc.newBlockingStub(channel).encode(request))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getStatus().getDescription()).startsWith("encoder replica draining:")
                                .contains("Encode").endsWith("retry on another replica");
                    });
            assertThat(inFlight.isDone()).as("the image waits for the decode thread").isFalse();
            assertThat(drained).as("the drain waits for the call").isNotDone();
            release.countDown();
            assertThat(busy.get(30, TimeUnit.SECONDS)).isTrue();

            EncodeResponse answer = inFlight.get(120, TimeUnit.SECONDS);
            assertThat(answer.getFeaturesCount()).isEqualTo(1);
            assertThat(drained.get(30, TimeUnit.SECONDS)).as("calls the drain had to end").isZero();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
