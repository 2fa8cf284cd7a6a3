package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.fovea.gateway.openai.GrpcChatRequests;
import dev.fovea.proto.v1.ChatMessage;
import dev.fovea.proto.v1.ChatRequest;
import dev.fovea.proto.v1.ContentPart;
import dev.fovea.proto.v1.GatewayServiceGrpc;
import dev.fovea.testsupport.NeedsConformance;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile gRPC input to {@code GatewayService} (issue 18): INVALID_ARGUMENT with a plain-text message naming the
 * field or limit, a request id in the trailers, no Java internals; the next valid call still completes.
 */
@NeedsConformance
@QuarkusTest
@WithTestResource(LlmServiceProcess.class)
class HostileGrpcInputTest {
    private ManagedChannel channel;
    private GatewayServiceGrpc.GatewayServiceBlockingStub gateway;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", GatewayHttp.port()).usePlaintext().build();
        gateway = GatewayServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    @AfterEach
    void nextValidCallSucceedsThenDisconnect() throws InterruptedException {
        assertThat(gateway.chat(valid().build()).getText()).isNotNull();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static ChatRequest.Builder valid() {
        return ChatRequest.newBuilder().setModel("llama-q8")
                .addMessages(ChatMessage.newBuilder().setRole("user")
                        .addContent(ContentPart.newBuilder().setText("Name three colors of the sky.")))
                .setTemperature(0).setMaxTokens(2);
    }

    /** Chat and ChatStream both refuse {@code request} with INVALID_ARGUMENT naming {@code named}. */
    private void refused(ChatRequest request, String named) {
        StatusRuntimeException unary = catchThrowableOfType(StatusRuntimeException.class, () -> gateway.chat(request));
        StatusRuntimeException stream = catchThrowableOfType(StatusRuntimeException.class,
                () -> gateway.chatStream(request).forEachRemaining(c -> { }));
        for (StatusRuntimeException e : new StatusRuntimeException[] {unary, stream}) {
            assertThat(e).as("refused: " + named).isNotNull();
            assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains(named);
            HostileReplies.noInternals(e.getStatus().getDescription());
            assertThat(e.getTrailers().get(GrpcChatRequests.REQUEST_ID)).isNotBlank();
        }
    }

    private void refused(UnaryOperator<ChatRequest.Builder> change, String named) {
        refused(change.apply(valid()).build(), named);
    }

    @Test
    void hugeOrNegativeMaxTokens() {
        for (int n : new int[] {1_000_000_000, Integer.MAX_VALUE}) {
            long start = System.nanoTime();
            refused(r -> r.setMaxTokens(n), "maximum context length");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
        refused(r -> r.setMaxTokens(-1), "max_tokens");
        refused(r -> r.setMaxTokens(Integer.MIN_VALUE), "max_tokens");
    }

    @Test
    void unknownRolesAndTheImageMarker() {
        for (String role : new String[] {"wizard", "USER", "ipython", ""}) {
            refused(r -> r.addMessages(ChatMessage.newBuilder().setRole(role)
                    .addContent(ContentPart.newBuilder().setText("hi"))), "messages[1].role");
        }
        refused(r -> r.addMessages(ChatMessage.newBuilder().setRole("user")
                .addContent(ContentPart.newBuilder().setText("a <__media__> b"))), "<__media__>");
    }

    @Test
    void tooManyMessages() {
        ChatRequest.Builder b = valid();
        for (int i = 0; i < 2048; i++) {
            b.addMessages(ChatMessage.newBuilder().setRole("user"));
        }
        refused(b.build(), "fovea.gateway.max-messages");
    }

    @Test
    void statusTextArrivesAsPlainText() {
        // spaces, a percent sign, quotes and non-ASCII must reach the client as they were written
        String role = "100% \"wizard\" — ü";
        refused(r -> r.addMessages(ChatMessage.newBuilder().setRole(role)
                .addContent(ContentPart.newBuilder().setText("hi"))), "'" + role + "' is not a role");
    }

    @Test
    void aHugeModelNameIsEchoedShort() {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                () -> gateway.chat(valid().setModel("m".repeat(100_000)).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(e.getStatus().getDescription().length()).as("the echo is cut short").isLessThan(300);
    }
}
