package dev.fovea.grpcsupport;

import dev.fovea.engine.pipeline.BatchScheduler;
import dev.fovea.engine.vision.ImageException;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * How every failure reaches a gRPC caller, so that nothing ends as UNKNOWN or carries a Java class name: invalid
 * input (an engine's {@link IllegalArgumentException} or {@link ImageException}) is INVALID_ARGUMENT with its
 * message, a full scheduler queue RESOURCE_EXHAUSTED, a status passes through, and anything else is INTERNAL with a
 * plain message naming the service, logged once with its stack trace. Each status carries the request id in its
 * trailers.
 */
@ApplicationScoped
public class GrpcFailures implements ExceptionHandlerProvider {
    private static final Logger LOG = Logger.getLogger(GrpcFailures.class);

    /** The status for {@code error} of request {@code requestId}, logged as it deserves. */
    public static StatusRuntimeException status(Throwable error, String requestId) {
        Throwable cause = unwrap(error);
        Status status;
        if (cause instanceof StatusRuntimeException s) {
            status = s.getStatus();
        } else if (cause instanceof StatusException s) {
            status = s.getStatus();
        } else if (cause instanceof BatchScheduler.RejectedException) {
            status = Status.RESOURCE_EXHAUSTED.withDescription(cause.getMessage());
        } else if (cause instanceof IllegalArgumentException || cause instanceof ImageException) {
            status = Status.INVALID_ARGUMENT.withDescription(cause.getMessage());
        } else {
            LOG.errorf(cause, "request %s failed unexpectedly", requestId);
            status = Status.INTERNAL.withDescription("internal error in " + serviceName() + " (request id "
                    + requestId + "); the service log has the details");
        }
        if (status.getCode() != Status.Code.INTERNAL) {
            LOG.infof("request %s: %s %s", requestId, status.getCode(), status.getDescription());
        }
        Metadata trailers = new Metadata();
        trailers.put(RequestIds.HEADER, requestId);
        return status.asRuntimeException(trailers);
    }

    private static String serviceName() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.application.name", String.class)
                .orElse("the service");
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    @Override
    public <Q, R> ExceptionHandler<Q, R> createHandler(ServerCall.Listener<Q> listener, ServerCall<Q, R> call,
            Metadata metadata) {
        return new ExceptionHandler<>(listener, call, metadata) {
            @Override
            protected void handleException(Throwable error, ServerCall<Q, R> serverCall, Metadata md) {
                StatusRuntimeException s = status(error, RequestIds.current());
                try {
                    serverCall.close(s.getStatus(), s.getTrailers() != null ? s.getTrailers() : new Metadata());
                } catch (IllegalStateException alreadyClosed) {
                    // the call ended before the failure (a cancelled client): the status has no one to go to
                }
            }
        };
    }

    @Override
    public Throwable transform(Throwable error) {
        return status(error, RequestIds.current());
    }
}
