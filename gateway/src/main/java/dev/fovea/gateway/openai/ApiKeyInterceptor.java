package dev.fovea.gateway.openai;

import dev.fovea.gateway.ApiKeys;
import dev.fovea.gateway.GatewayMetrics;
import dev.fovea.gateway.RequestLog;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.UUID;

/**
 * The one owner of gRPC authentication: every service on the gateway's port (GatewayService, JobService, reflection,
 * and any added later) needs {@code authorization: Bearer <key>} metadata when keys are configured; a call without
 * one is closed UNAUTHENTICATED before the service sees its request. The standard health service stays open, like
 * {@code /q/health} over HTTP, for probes that carry no credentials.
 */
@GlobalInterceptor
@ApplicationScoped
class ApiKeyInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Set<String> OPEN_SERVICES = Set.of("grpc.health.v1.Health");
    private static final ServerCall.Listener<Object> NOTHING = new ServerCall.Listener<>() {
    };

    private final ApiKeys keys;
    private final GatewayMetrics metrics;

    ApiKeyInterceptor(ApiKeys keys, GatewayMetrics metrics) {
        this.keys = keys;
        this.metrics = metrics;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        if (!keys.enabled() || OPEN_SERVICES.contains(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        ApiKeys.Verdict verdict = keys.check(headers.get(AUTHORIZATION));
        if (verdict == ApiKeys.Verdict.ACCEPTED) {
            return next.startCall(call, headers);
        }
        String requestId = "req-" + UUID.randomUUID().toString().replace("-", "");
        RequestLog.failed(requestId, "grpc", verdict.error());
        metrics.authRejected("grpc", verdict.reason());
        StatusRuntimeException refused = GrpcChatRequests.status(verdict.error(), requestId);
        call.close(refused.getStatus(), refused.getTrailers());
        @SuppressWarnings("unchecked")
        ServerCall.Listener<Q> ignore = (ServerCall.Listener<Q>) NOTHING;
        return ignore;
    }
}
