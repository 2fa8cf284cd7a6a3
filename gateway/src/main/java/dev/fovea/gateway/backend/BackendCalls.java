package dev.fovea.gateway.backend;

import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewayMetrics;
import dev.fovea.gateway.GatewaySettings;
import dev.fovea.gateway.InternalNames;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Unary calls to the backends as futures, timed per service and method. Calls inherit the caller's gRPC
 * {@link io.grpc.Context}, so cancelling a request's context cancels every call it started.
 */
@ApplicationScoped
public class BackendCalls {
    private final GrpcChannels channels;
    private final GatewayMetrics metrics;
    private final GatewaySettings settings;

    BackendCalls(GrpcChannels channels, GatewayMetrics metrics, GatewaySettings settings) {
        this.channels = channels;
        this.metrics = metrics;
        this.settings = settings;
    }

    public <Q, R> CompletableFuture<R> unary(String backend, String address, MethodDescriptor<Q, R> method,
                                             Q request) {
        CompletableFuture<R> result = new CompletableFuture<>();
        long start = System.nanoTime();
        String name = method.getBareMethodName();
        ManagedChannel channel = channels.channel(address);
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(settings.backendTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        ClientCalls.asyncUnaryCall(channel.newCall(method, options), request, new StreamObserver<>() {
            private R value;

            @Override
            public void onNext(R r) {
                value = r;
            }

            @Override
            public void onError(Throwable t) {
                metrics.backendCall(backend, name, Status.fromThrowable(t).getCode().name(),
                        System.nanoTime() - start);
                result.completeExceptionally(toApi(t, backend, address, name));
            }

            @Override
            public void onCompleted() {
                metrics.backendCall(backend, name, "OK", System.nanoTime() - start);
                result.complete(value);
            }
        });
        return result;
    }

    /**
     * A backend's failure as the client should see it: its bad input is the client's (400 with the backend's
     * message), an unreachable or overloaded backend a 503, anything else (a bug, a missing method) a 502.
     */
    static ApiException toApi(Throwable t, String backend, String address, String method) {
        Status s = Status.fromThrowable(t);
        String description = s.getDescription() == null ? "" : InternalNames.scrub(s.getDescription());
        String what = backend + " " + address + " " + method + ": " + s.getCode()
                + (description.isEmpty() ? "" : " " + description);
        return switch (s.getCode()) {
            case INVALID_ARGUMENT, OUT_OF_RANGE -> ApiException.badRequest(backend + " rejected the input: "
                    + description, null, "invalid_input");
            // transient: the same request may pass later (jobs retry these, and only these)
            case UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, CANCELLED, ABORTED -> ApiException.unavailable(what);
            default -> ApiException.backendError(what);
        };
    }
}
