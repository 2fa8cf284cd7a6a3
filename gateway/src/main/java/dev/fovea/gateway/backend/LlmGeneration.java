package dev.fovea.gateway.backend;

import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewayMetrics;
import dev.fovea.gateway.GatewaySettings;
import dev.fovea.proto.v1.GenerateEvent;
import dev.fovea.proto.v1.GenerateRequest;
import dev.fovea.proto.v1.LlmServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The streaming {@code Generate} call; it runs in the caller's gRPC context, so cancelling that stops it. Given
 * several replicas, a request that has not started streaming moves on to the next when a replica is gone, draining
 * or its queue is full; a stream that already sent events cannot move (the client has seen its tokens), so it ends
 * with a 503 saying the request may be retried.
 */
@ApplicationScoped
public class LlmGeneration {
    private final GrpcChannels channels;
    private final GatewayMetrics metrics;
    private final GatewaySettings settings;
    private final ReplicaCalls replicaCalls;

    LlmGeneration(GrpcChannels channels, GatewayMetrics metrics, GatewaySettings settings, ReplicaCalls replicaCalls) {
        this.channels = channels;
        this.metrics = metrics;
        this.settings = settings;
        this.replicaCalls = replicaCalls;
    }

    /**
     * Generates on {@code attempts}' first replica, then the next as above; events go to {@code events}, an error
     * arrives as an {@link ApiException}; {@code started} learns which replica sent the first event, the one that
     * now holds the prompt.
     */
    public void generate(List<String> attempts, GenerateRequest request, StreamObserver<GenerateEvent> events,
                         Consumer<String> started) {
        attempt(attempts, 0, request, events, started, Context.current());
    }

    private void attempt(List<String> attempts, int i, GenerateRequest request, StreamObserver<GenerateEvent> events,
                         Consumer<String> started, Context context) {
        String address = attempts.get(i);
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(settings.generateTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        long start = replicaCalls.started(address);
        context.run(() -> ClientCalls.asyncServerStreamingCall(channels.channel(address).newCall(
                LlmServiceGrpc.getGenerateMethod(), options), request, new StreamObserver<>() {
            private int received;

            @Override
            public void onNext(GenerateEvent e) {
                if (received++ == 0) {
                    started.accept(address);
                }
                events.onNext(e);
            }

            @Override
            public void onError(Throwable t) {
                Status status = Status.fromThrowable(t);
                boolean gone = replicaCalls.ended("llm", "Generate", address, start, status);
                boolean movable = gone || status.getCode() == Status.Code.RESOURCE_EXHAUSTED;
                if (received == 0 && movable && i + 1 < attempts.size() && !context.isCancelled()) {
                    metrics.routed("llm", "retried");
                    attempt(attempts, i + 1, request, events, started, context);
                } else if (received > 0 && gone) {
                    events.onError(ApiException.unavailable("the LLM replica " + address + " went away after "
                            + received + " events of this stream (" + status.getCode() + "); the request can be "
                            + "retried"));
                } else {
                    events.onError(BackendCalls.toApi(t, "llm", address, "Generate"));
                }
            }

            @Override
            public void onCompleted() {
                replicaCalls.ended("llm", "Generate", address, start, Status.OK);
                events.onCompleted();
            }
        }));
    }
}
