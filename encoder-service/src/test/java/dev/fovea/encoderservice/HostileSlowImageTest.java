package dev.fovea.encoderservice;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import dev.fovea.proto.v1.EncodeRequest;
import dev.fovea.proto.v1.EncoderServiceGrpc;
import dev.fovea.proto.v1.ImageInput;
import dev.fovea.testsupport.NeedsConformance;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Images that take longer than the decode deadline (100 ms here): the caller gets INVALID_ARGUMENT at the deadline,
 * readiness reports a worker stuck past it, and a valid image sent right after is served.
 */
@NeedsConformance
@QuarkusTest
@TestProfile(SlowDecodeProfile.class)
class HostileSlowImageTest {
    private static final Path CONFORMANCE = Path.of(System.getProperty("fovea.shared.dir"), "conformance");

    @Inject
    EncoderRuntime runtime;

    private ManagedChannel channel;
    private EncoderServiceGrpc.EncoderServiceBlockingStub encoder;

    @BeforeEach
    void connect() {
        int port = io.restassured.RestAssured.port; // the running application's port (set anew when a test profile restarts it)
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        encoder = EncoderServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private void validImageIsServed() throws Exception {
        byte[] png = Files.readAllBytes(CONFORMANCE.resolve("images/shapes56.png"));
        assertThat(encoder.withDeadlineAfter(60, TimeUnit.SECONDS).encode(EncodeRequest.newBuilder()
                .addImages(ImageInput.newBuilder().setEncoded(ByteString.copyFrom(png))).build()).getFeaturesCount())
                .isEqualTo(1);
    }

    private static void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (given().when().get("/q/health/ready").statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        given().when().get("/q/health/ready").then().statusCode(200);
    }

    /** A 7000×7000 PNG (under the pixel limit, 650 kB, made at run time) takes seconds to decode. */
    @Test
    void aSlowImageIsAnsweredAtTheDeadlineAndTheNextImageIsServed() throws Exception {
        byte[] slow = GeneratedImages.png(7000, 7000);
        long t0 = System.nanoTime();
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> encoder
                .withDeadlineAfter(30, TimeUnit.SECONDS).encode(EncodeRequest.newBuilder()
                        .addImages(ImageInput.newBuilder().setEncoded(ByteString.copyFrom(slow))).build()));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(e).as("the slow image must be refused").isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        // refused up front by the decoder's cost estimate, by its own deadline, or by the worker pool's
        assertThat(e.getStatus().getDescription()).containsAnyOf("decoding exceeded the limit of 100 ms",
                "would take longer to decode than the limit of 100 ms");
        assertThat(millis).isLessThan(10_000);
        given().when().get("/q/health/live").then().statusCode(200);
        validImageIsServed();
        awaitReady();
    }

    /**
     * Work that ignores interrupts (as an image decoder may: the slow PNG above is sometimes stopped by the
     * interrupt, sometimes not) holds its worker past the deadline: readiness is DOWN naming it while liveness
     * stays UP, images are still served by the replacement worker, and readiness returns when the work ends.
     */
    @Test
    void aWorkerStuckPastItsDeadlineMakesTheServiceUnreadyUntilItReturns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Long> stuck = runtime.workers().submit("spinning test work", () -> {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long x = 0;
            while (release.getCount() > 0 && System.nanoTime() < end) {
                x += System.nanoTime() & 1;
            }
            return x;
        });
        try {
            assertThat(catchThrowableOfType(Exception.class, () -> stuck.get(10, TimeUnit.SECONDS)))
                    .hasRootCauseMessage("image decoding exceeded the limit of 100 ms (fovea.encoder.decode-timeout)");
            Response ready = given().when().get("/q/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.asString()).contains("image-workers").contains("spinning test work")
                    .contains("past the deadline");
            given().when().get("/q/health/live").then().statusCode(200);
            validImageIsServed();
        } finally {
            release.countDown();
        }
        awaitReady();
    }
}
