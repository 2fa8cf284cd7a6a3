package dev.fovea.grpcsupport;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Gives every call a request id: the caller's {@code x-request-id} metadata (the gateway passes its own), else a
 * new one. Error statuses carry it in their trailers and every failure log line names it.
 */
@GlobalInterceptor
@ApplicationScoped
public class RequestIds implements ServerInterceptor {
    public static final Metadata.Key<String> HEADER = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> CURRENT = Context.key("fovea-request-id");
    private static final int MAX_LENGTH = 128;

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String id = headers.get(HEADER);
        if (id == null || id.isBlank() || id.length() > MAX_LENGTH) {
            id = UUID.randomUUID().toString();
        }
        return Contexts.interceptCall(Context.current().withValue(CURRENT, id), call, headers, next);
    }

    /** The id of the call this thread serves, or a new one where the call's context is not at hand. */
    public static String current() {
        String id = CURRENT.get();
        return id != null ? id : UUID.randomUUID().toString();
    }
}
