package dev.fovea.encoderservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.tensor.WireTensors;
import dev.fovea.engine.vision.ClipVisionEncoder;
import dev.fovea.engine.vision.FeatureMap;
import dev.fovea.engine.vision.ImageDecoder;
import dev.fovea.proto.v1.Crop;
import dev.fovea.proto.v1.DType;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@NeedsConformance
@QuarkusTest
class EncoderGrpcServiceTest {
    private static final Path CONFORMANCE = Path.of(System.getProperty("fovea.shared.dir"), "conformance");

    private ManagedChannel channel;
    private EncoderServiceGrpc.EncoderServiceBlockingStub encoder;

    @BeforeEach
    void connect() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        encoder = EncoderServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static FeatureMap local(byte[] png) throws Exception {
        try (GgufFile f = GgufFile.open(CONFORMANCE.resolve("models/mmproj-mlp-f32.gguf"))) {
            ClipVisionEncoder e = ClipVisionEncoder.load(f);
            return e.encode(e.preprocessor().apply(new ImageDecoder().decode(png)), Parallel.shared());
        }
    }

    @Test
    void featuresEqualTheInProcessEncoderAndRepeatsHitTheCache() throws Exception {
        byte[] png = Files.readAllBytes(CONFORMANCE.resolve("images/shapes120x80.png"));
        EncodeRequest req = EncodeRequest.newBuilder().setFeatureDtype(DType.F32)
                .addImages(ImageInput.newBuilder().setEncoded(ByteString.copyFrom(png))).build();
        EncodeResponse first = encoder.encode(req);
        FeatureMap expected = local(png);
        var f = first.getFeatures(0);
        assertThat(f.getData().getShapeList()).containsExactly((long) expected.tokens(), (long) expected.dim());
        assertThat(f.getGridHeight()).isEqualTo(expected.gridHeight());
        assertThat(WireTensors.decode(f.getData().getData().toByteArray(), WireTensors.DType.F32, expected.data().length))
                .containsExactly(expected.data());
        EncodeResponse second = encoder.encode(req);
        assertThat(second.getFeatures(0).getCacheHit()).isTrue();
        assertThat(second.getFeatures(0).getData()).isEqualTo(f.getData());
        // F16 on the wire by default: half the bytes, within F16 rounding
        EncodeResponse f16 = encoder.encode(req.toBuilder().clearFeatureDtype().build());
        float[] half = WireTensors.decode(f16.getFeatures(0).getData().getData().toByteArray(), WireTensors.DType.F16,
                expected.data().length);
        for (int i = 0; i < half.length; i++) {
            assertThat(half[i]).isCloseTo(expected.data()[i], org.assertj.core.data.Offset.offset(
                    Math.abs(expected.data()[i]) * 1e-3f + 1e-4f));
        }
        String metrics = io.restassured.RestAssured.get("/q/metrics").asString();
        assertThat(metrics).contains("fovea_encoder_cache_hits_total").contains("fovea_encoder_batch_size");
    }

    @Test
    void concurrentCallsAreBatchedAndCropsAreSeparateInputs() throws Exception {
        byte[] png = Files.readAllBytes(CONFORMANCE.resolve("images/shapes120x80.png"));
        List<CompletableFuture<EncodeResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int x = i * 10;
            calls.add(CompletableFuture.supplyAsync(() -> encoder.encode(EncodeRequest.newBuilder()
                    .addImages(ImageInput.newBuilder().setEncoded(ByteString.copyFrom(png))
                            .setCrop(Crop.newBuilder().setX(x).setY(0).setWidth(60).setHeight(60))).build())));
        }
        List<ByteString> distinct = new ArrayList<>();
        for (var c : calls) {
            ByteString data = c.get(60, TimeUnit.SECONDS).getFeatures(0).getData().getData();
            assertThat(distinct).doesNotContain(data);
            distinct.add(data);
        }
    }

    @Test
    void brokenHugeOrOutOfRangeInputIsInvalidArgument() {
        assertThatThrownBy(() -> encoder.encode(EncodeRequest.newBuilder()
                .addImages(ImageInput.newBuilder().setEncoded(ByteString.copyFromUtf8("not an image"))).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("not a supported image format");
                });
        assertThatThrownBy(() -> encoder.encode(EncodeRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }
}
