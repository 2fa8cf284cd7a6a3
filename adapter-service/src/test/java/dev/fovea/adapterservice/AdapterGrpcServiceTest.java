package dev.fovea.adapterservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.fovea.engine.pipeline.VisionModel;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.tensor.WireTensors;
import dev.fovea.engine.vision.FeatureMap;
import dev.fovea.proto.v1.AdapterServiceGrpc;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@NeedsConformance
@QuarkusTest
class AdapterGrpcServiceTest {
    private static final Path CONFORMANCE = Path.of(System.getProperty("fovea.shared.dir"), "conformance");

    private ManagedChannel channel;
    private AdapterServiceGrpc.AdapterServiceBlockingStub adapter;

    @BeforeEach
    void connect() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        adapter = AdapterServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void projectionEqualsTheInProcessProjectorAndMatchesLlamaCpp() throws Exception {
        byte[] png = Files.readAllBytes(CONFORMANCE.resolve("images/shapes56.png"));
        try (VisionModel vm = VisionModel.open(CONFORMANCE.resolve("models/mmproj-mlp-f32.gguf"), Parallel.shared(), 1 << 24)) {
            FeatureMap features = vm.features(png);
            float[] expected = vm.projector().project(List.of(features), Parallel.shared()).data();
            var response = adapter.project(ProjectRequest.newBuilder().setAdapter("llava-mlp")
                    .setEmbeddingDtype(DType.F32)
                    .addInputs(Features.newBuilder().setGridHeight(features.gridHeight()).setGridWidth(features.gridWidth())
                            .setData(Tensor.newBuilder().addShape(features.tokens()).addShape(features.dim())
                                    .setDtype(DType.F32).setData(ByteString.copyFrom(WireTensors.encode(features.data(),
                                            WireTensors.DType.F32)))))
                    .build());
            assertThat(response.getEmbeddings().getShapeList()).containsExactly(16L, 64L);
            assertThat(WireTensors.decode(response.getEmbeddings().getData().toByteArray(), WireTensors.DType.F32,
                    expected.length)).containsExactly(expected);
        }
    }

    @Test
    void unknownAdapterAndMisshapenFeaturesAreInvalidArgument() {
        assertThatThrownBy(() -> adapter.project(ProjectRequest.newBuilder().setAdapter("nope").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("unknown adapter 'nope'");
                });
        assertThatThrownBy(() -> adapter.project(ProjectRequest.newBuilder().setAdapter("llava-mlp")
                .addInputs(Features.newBuilder().setData(Tensor.newBuilder().addShape(4).addShape(3).setDtype(DType.F32)
                        .setData(ByteString.copyFrom(new byte[48])))).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }
}
