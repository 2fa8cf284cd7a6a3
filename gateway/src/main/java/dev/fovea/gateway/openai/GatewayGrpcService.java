package dev.fovea.gateway.openai;

import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewaySettings;
import dev.fovea.gateway.RequestLog;
import dev.fovea.gateway.chat.ChatCompletionRequest;
import dev.fovea.gateway.chat.ChatOrchestrator;
import dev.fovea.gateway.chat.ChatOutcome;
import dev.fovea.gateway.chat.ChatSink;
import dev.fovea.proto.v1.ChatChunk;
import dev.fovea.proto.v1.ChatRequest;
import dev.fovea.proto.v1.ChatResponse;
import dev.fovea.proto.v1.GatewayServiceGrpc;
import dev.fovea.proto.v1.GroundingBox;
import dev.fovea.proto.v1.Usage;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import java.util.List;
import java.util.UUID;

/** {@code fovea.v1.GatewayService}: the chat completions of the HTTP API over gRPC, on the same orchestrator. */
@GrpcService
public class GatewayGrpcService extends GatewayServiceGrpc.GatewayServiceImplBase {
    private final ChatOrchestrator orchestrator;
    private final GatewaySettings settings;

    GatewayGrpcService(ChatOrchestrator orchestrator, GatewaySettings settings) {
        this.orchestrator = orchestrator;
        this.settings = settings;
    }

    @Override
    public void chat(ChatRequest request, StreamObserver<ChatResponse> observer) {
        String id = newId();
        run(request, observer, false, id, new ChatSink() {
            @Override
            public void token(int tokenId, String text) {
            }

            @Override
            public void finished(ChatOutcome o) {
                ChatResponse.Builder r = ChatResponse.newBuilder().setId(id).setModel(request.getModel())
                        .setText(o.text()).setFinishReason(o.finishReason()).setUsage(usage(o))
                        .addAllBoxes(boxes(o)).setCreated(System.currentTimeMillis() / 1000);
                if (request.getReturnTokenIds()) {
                    r.addAllTokenIds(o.tokenIds());
                }
                observer.onNext(r.build());
                observer.onCompleted();
            }

            @Override
            public void failed(ApiException error) {
                observer.onError(GrpcChatRequests.status(error, id));
            }
        });
    }

    @Override
    public void chatStream(ChatRequest request, StreamObserver<ChatChunk> observer) {
        String id = newId();
        run(request, observer, true, id, new ChatSink() {
            @Override
            public synchronized void token(int tokenId, String text) {
                observer.onNext(ChatChunk.newBuilder().setId(id).setText(text).setTokenId(tokenId).build());
            }

            @Override
            public synchronized void finished(ChatOutcome o) {
                observer.onNext(ChatChunk.newBuilder().setId(id).setFinishReason(o.finishReason())
                        .setUsage(usage(o)).addAllBoxes(boxes(o)).setTokenId(-1).build());
                observer.onCompleted();
            }

            @Override
            public synchronized void failed(ApiException error) {
                observer.onError(GrpcChatRequests.status(error, id));
            }
        });
    }

    /** @param id the completion's id, which is also the request id of its log lines and error trailers */
    private void run(ChatRequest request, StreamObserver<?> observer, boolean stream, String id, ChatSink sink) {
        ChatCompletionRequest parsed;
        try {
            parsed = GrpcChatRequests.toRequest(request, settings.maxMessages());
        } catch (ApiException e) {
            RequestLog.failed(id, "grpc", e);
            observer.onError(GrpcChatRequests.status(e, id));
            return;
        }
        ChatOrchestrator.Cancellation cancellation = orchestrator.start(parsed, "grpc", stream, sink, id);
        ((ServerCallStreamObserver<?>) observer).setOnCancelHandler(cancellation::cancel);
    }

    static Usage usage(ChatOutcome o) {
        return Usage.newBuilder().setPromptTokens(o.promptTokens()).setCompletionTokens(o.completionTokens())
                .setTotalTokens(o.promptTokens() + o.completionTokens()).build();
    }

    static List<GroundingBox> boxes(ChatOutcome o) {
        return o.boxes().stream().map(b -> GroundingBox.newBuilder().setLabel(b.label()).setX1(b.x1()).setY1(b.y1())
                .setX2(b.x2()).setY2(b.y2()).build()).toList();
    }

    private static String newId() {
        return "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    }
}
