package dev.fovea.gateway.backend;

import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewayMetrics;
import dev.fovea.gateway.GatewaySettings;
import dev.fovea.proto.v1.GenerateEvent;
import dev.fovea.proto.v1.GenerateRequest;
import dev.fovea.proto.v1.LlmServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/** The streaming {@code Generate} call; it runs in the caller's gRPC context, so cancelling that stops it. */
@ApplicationScoped
public class LlmGeneration {
    private final GrpcChannels channels;
    private final GatewayMetrics metrics;
    private final GatewaySettings settings;

    LlmGeneration(GrpcChannels channels, GatewayMetrics metrics, GatewaySettings settings) {
        this.channels = channels;
        this.metrics = metrics;
        this.settings = settings;
    }

    /** Events go to {@code events}; an error arrives as an {@link ApiException}. */
    public void generate(String address, GenerateRequest request, StreamObserver<GenerateEvent> events) {
        long start = System.nanoTime();
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(settings.generateTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        ClientCalls.asyncServerStreamingCall(channels.channel(address).newCall(LlmServiceGrpc.getGenerateMethod(),
                options), request, new StreamObserver<>() {
            @Override
            public void onNext(GenerateEvent e) {
                events.onNext(e);
            }

            @Override
            public void onError(Throwable t) {
                metrics.backendCall("llm", "Generate", Status.fromThrowable(t).getCode().name(),
                        System.nanoTime() - start);
                events.onError(BackendCalls.toApi(t, "llm", address, "Generate"));
            }

            @Override
            public void onCompleted() {
                metrics.backendCall("llm", "Generate", "OK", System.nanoTime() - start);
                events.onCompleted();
            }
        });
    }
}
