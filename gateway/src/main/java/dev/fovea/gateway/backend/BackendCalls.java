package dev.fovea.gateway.backend;

import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewayMetrics;
import dev.fovea.gateway.GatewaySettings;
import dev.fovea.gateway.InternalNames;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Unary calls to the backends as futures, timed per service and method. Calls inherit the caller's gRPC
 * {@link io.grpc.Context}, so cancelling a request's context cancels every call it started. A call given several
 * replicas goes to the first; when that one turns out gone (UNAVAILABLE: unreachable, killed, draining) it is
 * skipped for a while and the call goes to the next, so a replica that dies costs its callers nothing.
 */
@ApplicationScoped
public class BackendCalls {
    private final GrpcChannels channels;
    private final GatewayMetrics metrics;
    private final GatewaySettings settings;
    private final ReplicaCalls replicaCalls;
    private final ReplicaRouter router;

    BackendCalls(GrpcChannels channels, GatewayMetrics metrics, GatewaySettings settings, ReplicaCalls replicaCalls,
                 ReplicaRouter router) {
        this.router = router;
        this.channels = channels;
        this.metrics = metrics;
        this.settings = settings;
        this.replicaCalls = replicaCalls;
    }

    /** A call any replica of the LLM {@code llm} can answer (Describe, Tokenize, Embed, ...): the least busy takes it. */
    public <Q, R> CompletableFuture<R> anyLlm(List<String> llm, MethodDescriptor<Q, R> method, Q request) {
        return unary("llm", router.anyLlm(llm), method, request);
    }

    /** The call to {@code attempts}' first replica, then to the next while replicas turn out gone. */
    public <Q, R> CompletableFuture<R> unary(String backend, List<String> attempts, MethodDescriptor<Q, R> method,
                                             Q request) {
        CompletableFuture<R> result = new CompletableFuture<>();
        Context context = Context.current();
        attempt(backend, attempts, 0, method, request, result, context);
        return result;
    }

    private <Q, R> void attempt(String backend, List<String> attempts, int i, MethodDescriptor<Q, R> method, Q request,
                                CompletableFuture<R> result, Context context) {
        String address = attempts.get(i);
        context.run(() -> call(backend, address, method, request).whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
            } else {
                Failure f = (Failure) (error instanceof java.util.concurrent.CompletionException c ? c.getCause() : error);
                if (i + 1 < attempts.size() && f.gone && !context.isCancelled()) {
                    metrics.routed(backend.startsWith("encoder") ? "encoder" : backend, "retried");
                    attempt(backend, attempts, i + 1, method, request, result, context);
                } else {
                    result.completeExceptionally(f.shown);
                }
            }
        }));
    }

    /** A failed call: the error the client is shown, and whether the replica turned out gone (worth a retry). */
    private static final class Failure extends RuntimeException {
        private final transient ApiException shown;
        private final boolean gone;

        Failure(ApiException shown, boolean gone) {
            super(shown.getMessage(), null, false, false);
            this.shown = shown;
            this.gone = gone;
        }
    }

    public <Q, R> CompletableFuture<R> unary(String backend, String address, MethodDescriptor<Q, R> method,
                                             Q request) {
        return unary(backend, List.of(address), method, request);
    }

    private <Q, R> CompletableFuture<R> call(String backend, String address, MethodDescriptor<Q, R> method,
                                             Q request) {
        CompletableFuture<R> result = new CompletableFuture<>();
        long start = replicaCalls.started(address);
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
                boolean gone = replicaCalls.ended(backend, name, address, start, Status.fromThrowable(t));
                result.completeExceptionally(new Failure(toApi(t, backend, address, name), gone));
            }

            @Override
            public void onCompleted() {
                replicaCalls.ended(backend, name, address, start, Status.OK);
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
        if (ReplicaHealth.replicaGone(s)) {
            return ApiException.unavailable(what); // another replica, or this one restarted, may take it
        }
        return switch (s.getCode()) {
            case INVALID_ARGUMENT, OUT_OF_RANGE -> ApiException.badRequest(backend + " rejected the input: "
                    + description, null, "invalid_input");
            // transient: the same request may pass later (jobs retry these, and only these)
            case UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, CANCELLED, ABORTED -> ApiException.unavailable(what);
            default -> ApiException.backendError(what);
        };
    }
}
