package dev.fovea.gateway.batches;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.jobs.JobQueue;
import dev.fovea.gateway.openai.HttpReplies;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import org.jboss.logging.Logger;

/**
 * What the file and batch routes share: they answer only where the job queue is on, every failure is the API's error
 * envelope (an unexpected one logged with its stack trace), and query parameters are checked by name.
 */
@ApplicationScoped
class BatchRequests {
    private static final Logger LOG = Logger.getLogger(BatchRequests.class);

    interface Handler {
        void handle(RoutingContext ctx);
    }

    private final JobQueue jobs;
    private final HttpReplies replies;

    BatchRequests(JobQueue jobs, HttpReplies replies) {
        this.jobs = jobs;
        this.replies = replies;
    }

    void guarded(RoutingContext ctx, Handler handler) {
        if (!jobs.enabled()) {
            replies.fail(ctx, new ApiException(404, "invalid_request_error", "the batch API runs on the job queue, "
                    + "which is off on this gateway (fovea.jobs.enabled)", null, "jobs_disabled"));
            return;
        }
        try {
            handler.handle(ctx);
        } catch (RuntimeException e) {
            fail(ctx, e);
        }
    }

    /** Answers a failure: an ApiException as itself, anything else as a logged 500. */
    void fail(RoutingContext ctx, Throwable e) {
        if (e instanceof ApiException a) {
            replies.fail(ctx, a);
        } else {
            LOG.errorf(e, "request %s: batch API request failed unexpectedly", HttpReplies.requestId(ctx));
            replies.fail(ctx, ApiException.internal());
        }
    }

    void send(RoutingContext ctx, ObjectNode body) {
        replies.send(ctx.response(), 200, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** An integer query parameter within [min, max], or {@code absent}; a 400 naming it otherwise. */
    static int intParam(RoutingContext ctx, String name, int absent, int min, int max) {
        String v = ctx.queryParams().get(name);
        if (v == null || v.isEmpty()) {
            return absent;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest(name + " must be an integer from " + min + " to " + max + ", got "
                + ApiException.quote(v), name, "invalid_value");
    }
}
