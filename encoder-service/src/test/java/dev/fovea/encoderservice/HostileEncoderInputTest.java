package dev.fovea.encoderservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import dev.fovea.grpcsupport.RequestIds;
import dev.fovea.proto.v1.DType;
import dev.fovea.proto.v1.EncodeRequest;
import dev.fovea.proto.v1.EncoderServiceGrpc;
import dev.fovea.proto.v1.ImageInput;
import dev.fovea.proto.v1.Tensor;
import dev.fovea.testsupport.NeedsConformance;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gRPC straight to the encoder with what an attacker would send; each answer is a clear status, then a valid image works. */
@NeedsConformance
@QuarkusTest
class HostileEncoderInputTest {
    private static final Path CONFORMANCE = Path.of(System.getProperty("fovea.shared.dir"), "conformance");
    /** A Java class name or an exception type in a message. */
    static final Pattern CLASS_NAME = Pattern.compile("\\b(java|javax|jdk|sun|io\\.grpc|dev\\.fovea)\\.[a-z]|[A-Z]\\w*(Exception|Error)\\b");

    private ManagedChannel channel;
    private EncoderServiceGrpc.EncoderServiceBlockingStub encoder;

    @BeforeEach
    void connect() {
        int port = io.restassured.RestAssured.port; // the running application's port (set anew when a test profile restarts it)
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().maxInboundMessageSize(64 << 20)
                .build();
        encoder = EncoderServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void stillServesAValidImage() throws Exception {
        byte[] png = Files.readAllBytes(CONFORMANCE.resolve("images/shapes56.png"));
        var r = encoder.encode(EncodeRequest.newBuilder()
                .addImages(ImageInput.newBuilder().setEncoded(ByteString.copyFrom(png))).build());
        assertThat(r.getFeaturesCount()).isEqualTo(1);
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private StatusRuntimeException refused(EncodeRequest request, Status.Code code, String... mentions) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> encoder.encode(request));
        assertThat(e).as("the call must fail").isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(code);
        assertThat(e.getStatus().getDescription()).isNotBlank().doesNotContainPattern(CLASS_NAME);
        for (String m : mentions) {
            assertThat(e.getStatus().getDescription()).contains(m);
        }
        return e;
    }

    private static EncodeRequest pixels(long... shape) {
        Tensor.Builder t = Tensor.newBuilder().setDtype(DType.F32).setData(ByteString.copyFrom(new byte[64]));
        for (long d : shape) {
            t.addShape(d);
        }
        return EncodeRequest.newBuilder().addImages(ImageInput.newBuilder().setPixels(t)).build();
    }

    @Test
    void overflowingPixelShapesNameTheExpectedShape() {
        String want = "pixels must have shape [3][";
        refused(pixels(1L << 40, 1L << 40, 1L << 40), Status.Code.INVALID_ARGUMENT, want);
        refused(pixels(1L << 62, 4), Status.Code.INVALID_ARGUMENT, want);
        refused(pixels(-3, 4, 4), Status.Code.INVALID_ARGUMENT, want);
        refused(pixels(), Status.Code.INVALID_ARGUMENT, want, "no shape");
    }

    @Test
    void theRightShapeWithTheWrongByteCountIsRefusedBeforeDecoding() {
        var info = encoder.describe(dev.fovea.proto.v1.DescribeEncoderRequest.getDefaultInstance());
        int s = info.getImageSize();
        refused(pixels(3, s, s), Status.Code.INVALID_ARGUMENT, "[3][" + s + "][" + s + "]", "bytes");
    }

    @Test
    void brokenCountsAndFilesAreInvalidArgumentNamingTheLimit() {
        refused(EncodeRequest.getDefaultInstance(), Status.Code.INVALID_ARGUMENT, "max-images-per-call");
        EncodeRequest.Builder many = EncodeRequest.newBuilder();
        for (int i = 0; i < 65; i++) {
            many.addImages(ImageInput.newBuilder().setEncoded(ByteString.copyFromUtf8("x")));
        }
        refused(many.build(), Status.Code.INVALID_ARGUMENT, "1..64", "got 65");
        refused(EncodeRequest.newBuilder().addImages(ImageInput.newBuilder()
                .setEncoded(ByteString.copyFrom(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0}))).build(),
                Status.Code.INVALID_ARGUMENT);
        refused(EncodeRequest.newBuilder().addImages(ImageInput.getDefaultInstance()).build(),
                Status.Code.INVALID_ARGUMENT, "without encoded bytes or pixels");
        StatusRuntimeException e = refused(EncodeRequest.newBuilder().addImages(ImageInput.newBuilder()
                .setEncoded(ByteString.copyFromUtf8("GIF89a"))).build(), Status.Code.INVALID_ARGUMENT);
        assertThat(e.getTrailers().get(RequestIds.HEADER)).isNotBlank();
    }

    @Test
    void aHeaderClaimingTooManyPixelsIsRefusedFromTheHeader() throws Exception {
        byte[] png = GeneratedImages.png(8000, 8000, 1); // 64 M pixels claimed, over the 50 M limit
        refused(EncodeRequest.newBuilder().addImages(ImageInput.newBuilder().setEncoded(ByteString.copyFrom(png)))
                .build(), Status.Code.INVALID_ARGUMENT, "limit");
    }
}
