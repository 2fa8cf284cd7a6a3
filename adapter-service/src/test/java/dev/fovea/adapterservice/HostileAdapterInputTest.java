package dev.fovea.adapterservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import dev.fovea.engine.pipeline.VisionModel;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.tensor.WireTensors;
import dev.fovea.engine.vision.FeatureMap;
import dev.fovea.grpcsupport.RequestIds;
import dev.fovea.proto.v1.AdapterServiceGrpc;
import dev.fovea.proto.v1.AnyResImage;
import dev.fovea.proto.v1.DType;
import dev.fovea.proto.v1.Features;
import dev.fovea.proto.v1.ProjectRequest;
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

/** gRPC straight to the adapter with hostile shapes: each is INVALID_ARGUMENT naming the shape, then a valid call works. */
@NeedsConformance
@QuarkusTest
class HostileAdapterInputTest {
    private static final Path CONFORMANCE = Path.of(System.getProperty("fovea.shared.dir"), "conformance");
    private static final Pattern CLASS_NAME = Pattern.compile(
            "\\b(java|javax|jdk|sun|io\\.grpc|dev\\.fovea)\\.[a-z]|[A-Z]\\w*(Exception|Error)\\b");

    private ManagedChannel channel;
    private AdapterServiceGrpc.AdapterServiceBlockingStub adapter;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", io.restassured.RestAssured.port).usePlaintext().build();
        adapter = AdapterServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void stillProjectsValidFeatures() throws Exception {
        byte[] png = Files.readAllBytes(CONFORMANCE.resolve("images/shapes56.png"));
        try (VisionModel vm = VisionModel.open(CONFORMANCE.resolve("models/mmproj-mlp-f32.gguf"), Parallel.shared(), 1 << 24)) {
            FeatureMap f = vm.features(png);
            var r = adapter.project(ProjectRequest.newBuilder().setAdapter("llava-mlp").addInputs(features(
                    f.tokens(), f.dim(), WireTensors.encode(f.data(), WireTensors.DType.F16))).build());
            assertThat(r.getEmbeddings().getShapeList()).containsExactly(16L, 64L);
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static Features features(long tokens, long dim, byte[] data) {
        return Features.newBuilder().setData(Tensor.newBuilder().addShape(tokens).addShape(dim).setDtype(DType.F16)
                .setData(ByteString.copyFrom(data))).build();
    }

    private void refused(ProjectRequest request, String... mentions) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> adapter.project(request));
        assertThat(e).as("the call must fail").isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).isNotBlank().doesNotContainPattern(CLASS_NAME);
        for (String m : mentions) {
            assertThat(e.getStatus().getDescription()).contains(m);
        }
        assertThat(e.getTrailers().get(RequestIds.HEADER)).isNotBlank();
    }

    @Test
    void overflowingShapesAreInvalidArgumentNamingTheShape() {
        refused(ProjectRequest.newBuilder().setAdapter("llava-mlp").addInputs(features(1L << 40, 1024, new byte[64]))
                .build(), "features must have shape [tokens][dim]");
        refused(ProjectRequest.newBuilder().setAdapter("llava-mlp").addInputs(features(1L << 31, 1L << 31, new byte[64]))
                .build(), "features must have shape [tokens][dim]");
        refused(ProjectRequest.newBuilder().setAdapter("llava-mlp").addInputs(features(-1, 4, new byte[8])).build(),
                "[-1, 4]");
    }

    @Test
    void aWrongByteCountOrWidthNamesTheRowWidth() {
        refused(ProjectRequest.newBuilder().setAdapter("llava-mlp").addInputs(features(1, 1024, new byte[2080]))
                .build(), "1024 values wide", "2048 bytes as F16", "got 2080");
        refused(ProjectRequest.newBuilder().setAdapter("llava-mlp").addInputs(features(4, 3, new byte[24])).build());
    }

    @Test
    void badGridsAndAnyResSizesAreRefused() {
        Features grid = features(16, 32, new byte[16 * 32 * 2]).toBuilder().setGridHeight(-4).setGridWidth(-4).build();
        refused(ProjectRequest.newBuilder().setAdapter("llava-mlp").addInputs(grid).build(), "grid");
        refused(ProjectRequest.newBuilder().setAdapter("llava-mlp").addInputs(features(16, 32, new byte[16 * 32 * 2]))
                .setAnyres(AnyResImage.newBuilder().setWidth(-5).setHeight(Integer.MAX_VALUE)).build());
        refused(ProjectRequest.newBuilder().setAdapter("nope").build(), "unknown adapter 'nope'");
        refused(ProjectRequest.newBuilder().setAdapter("llava-mlp").build(), "no encoder features");
    }
}
