package dev.fovea.encoderservice;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import dev.fovea.proto.v1.EncodeRequest;
import dev.fovea.proto.v1.EncoderServiceGrpc;
import dev.fovea.proto.v1.ImageInput;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An image that takes longer than the decode deadline (a 7000×7000 PNG, under the pixel limit, made at run time;
 * the deadline is 100 ms here): the caller gets INVALID_ARGUMENT at the deadline, readiness reports the stuck
 * worker while it runs on, and a valid image sent right after is served.
 */
@QuarkusTest
@TestProfile(SlowDecodeProfile.class)
class HostileSlowImageTest {
    private static final Path CONFORMANCE = Path.of(System.getProperty("fovea.shared.dir"), "conformance");

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

    @Test
    void aSlowImageAnswersAtTheDeadlineMarksTheServiceUnreadyAndTheNextImageIsServed() throws Exception {
        byte[] slow = GeneratedImages.png(7000, 7000);
        given().when().get("/q/health/ready").then().statusCode(200);
        long t0 = System.nanoTime();
        var call = CompletableFuture.supplyAsync(() -> catchThrowableOfType(StatusRuntimeException.class, () -> encoder
                .withDeadlineAfter(30, TimeUnit.SECONDS).encode(EncodeRequest.newBuilder()
                        .addImages(ImageInput.newBuilder().setEncoded(ByteString.copyFrom(slow))).build())));
        // readiness goes down while the worker runs past its deadline
        Response unready = null;
        StringBuilder seen = new StringBuilder();
        long pollUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (unready == null && System.nanoTime() < pollUntil) {
            Response r = given().when().get("/q/health/ready");
            seen.append(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).append(" ms: ").append(r.statusCode())
                    .append(call.isDone() ? " (answered)\n" : "\n");
            if (r.statusCode() == 503) {
                unready = r;
            } else {
                Thread.sleep(10);
            }
        }
        StatusRuntimeException e = call.get(30, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(e).as("the slow image must be refused").isNotNull();
        assertThat(unready).as("readiness must report the stuck worker; answer " + e.getStatus() + "; seen:\n" + seen)
                .isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).contains("image decoding exceeded the limit of 100 ms")
                .contains("fovea.encoder.decode-timeout");
        assertThat(millis).isLessThan(10_000);

        assertThat(unready.asString()).contains("image-workers").contains("past the deadline");
        given().when().get("/q/health/live").then().statusCode(200);

        // the stuck worker was replaced: a valid image is served while it is still busy
        byte[] png = Files.readAllBytes(CONFORMANCE.resolve("images/shapes56.png"));
        assertThat(encoder.withDeadlineAfter(60, TimeUnit.SECONDS).encode(EncodeRequest.newBuilder()
                .addImages(ImageInput.newBuilder().setEncoded(ByteString.copyFrom(png))).build()).getFeaturesCount())
                .isEqualTo(1);

        // once the slow decode comes back, the service is ready again
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (given().when().get("/q/health/ready").statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        given().when().get("/q/health/ready").then().statusCode(200);
    }
}
