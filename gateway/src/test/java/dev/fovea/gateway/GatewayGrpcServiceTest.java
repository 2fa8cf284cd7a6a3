package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.GenerationResult;
import dev.fovea.proto.v1.ChatChunk;
import dev.fovea.proto.v1.ChatMessage;
import dev.fovea.proto.v1.ChatRequest;
import dev.fovea.proto.v1.ChatResponse;
import dev.fovea.proto.v1.ContentPart;
import dev.fovea.proto.v1.GatewayServiceGrpc;
import dev.fovea.proto.v1.ImageSource;
import dev.fovea.testsupport.NeedsConformance;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code fovea.v1.GatewayService} on the gateway's port: the same completions as the HTTP API. */
@NeedsConformance
@QuarkusTest
@WithTestResource(LlmServiceProcess.class)
class GatewayGrpcServiceTest {
    private ManagedChannel channel;
    private GatewayServiceGrpc.GatewayServiceBlockingStub gateway;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", GatewayHttp.port()).usePlaintext().build();
        gateway = GatewayServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static ChatRequest request(String model) {
        return ChatRequest.newBuilder().setModel(model)
                .addMessages(ChatMessage.newBuilder().setRole("system")
                        .addContent(ContentPart.newBuilder().setText("You answer briefly.")))
                .addMessages(ChatMessage.newBuilder().setRole("user")
                        .addContent(ContentPart.newBuilder().setText("Name three colors of the sky.")))
                .setTemperature(0).setMaxTokens(24).setReturnTokenIds(true).build();
    }

    @Test
    void chatAndChatStreamMatchTheSingleProcessEngine() {
        var lm = EngineReference.model();
        List<Segment> input = lm.chatInput(ChatCompletionsTest.engineMessages(), List.of());
        GenerationResult expected = EngineReference.greedy(input, 24);

        ChatResponse r = gateway.chat(request("llama-q8"));
        assertThat(r.getTokenIdsList()).isEqualTo(Arrays.stream(expected.tokens()).boxed().toList());
        assertThat(r.getText()).isEqualTo(expected.text());
        assertThat(r.getFinishReason()).isEqualTo(expected.finishReason().name().toLowerCase());
        assertThat(r.getUsage().getPromptTokens()).isEqualTo(EngineReference.positions(input));
        assertThat(r.getUsage().getCompletionTokens()).isEqualTo(expected.tokens().length);

        StringBuilder text = new StringBuilder();
        List<Integer> ids = new ArrayList<>();
        ChatChunk last = null;
        Iterator<ChatChunk> it = gateway.chatStream(request("llama-q8"));
        while (it.hasNext()) {
            last = it.next();
            text.append(last.getText());
            if (last.getFinishReason().isEmpty() && last.getTokenId() >= 0) {
                ids.add(last.getTokenId());
            }
        }
        assertThat(last).isNotNull();
        assertThat(last.getFinishReason()).isEqualTo(r.getFinishReason());
        assertThat(last.getUsage()).isEqualTo(r.getUsage());
        assertThat(text.toString()).isEqualTo(expected.text());
        assertThat(ids).isEqualTo(r.getTokenIdsList());
    }

    @Test
    void errorsCarryGrpcStatuses() {
        assertThatThrownBy(() -> gateway.chat(request("no-such-model")))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        ChatRequest badImage = request("vlm-offline").toBuilder().addMessages(ChatMessage.newBuilder().setRole("user")
                .addContent(ContentPart.newBuilder().setImage(ImageSource.newBuilder()
                        .setData(com.google.protobuf.ByteString.copyFromUtf8("not an image"))))).build();
        assertThatThrownBy(() -> gateway.chat(badImage))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("image 0");
                });
        assertThatThrownBy(() -> gateway.chatStream(request("llama-q8").toBuilder().setTemperature(5).build()).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }
}
