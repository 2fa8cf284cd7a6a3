package dev.fovea.gateway.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewaySettings;
import dev.fovea.gateway.RequestLog;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * What every {@code /v1/*} request shares: a request id (the client's {@code X-Request-Id} when it is a sane token,
 * else a new one) echoed in the response header, the error body and the log; and one failure handler, so that
 * whatever fails — the body limit, a malformed URL, a bug — is answered with the documented {@code {"error": …}}.
 */
@ApplicationScoped
public class HttpReplies {
    static final String HEADER = "X-Request-Id";
    private static final String KEY = "fovea.request-id";
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Logger LOG = Logger.getLogger(HttpReplies.class);

    private final GatewaySettings settings;
    private final OpenAiJson json = new OpenAiJson(new ObjectMapper());

    HttpReplies(GatewaySettings settings) {
        this.settings = settings;
    }

    void register(@Observes Router router) {
        io.vertx.core.Handler<RoutingContext> assignId = ctx -> {
            String given = ctx.request().getHeader(HEADER);
            String id = given != null && CLIENT_ID.matcher(given).matches() ? given
                    : "req-" + UUID.randomUUID().toString().replace("-", "");
            ctx.put(KEY, id);
            ctx.response().putHeader(HEADER, id);
            ctx.next();
        };
        // the API: /v1 and vLLM's token routes beside it
        for (String path : java.util.List.of("/v1/*", "/tokenize", "/detokenize")) {
            router.route(path).order(-1000).handler(assignId).failureHandler(this::failure);
        }
        // a path Vert.x cannot decode (/v1/models/%zz) fails before any route matches, so no route's failure
        // handler sees it; the router's own handler for such 400s answers with the envelope too
        router.errorHandler(400, ctx -> {
            if (ctx.get(KEY) == null) {
                ctx.put(KEY, "req-" + UUID.randomUUID().toString().replace("-", ""));
                ctx.response().putHeader(HEADER, requestId(ctx));
            }
            fail(ctx, badUrl());
        });
    }

    public static String requestId(RoutingContext ctx) {
        String id = ctx.get(KEY);
        return id == null ? "req-unknown" : id;
    }

    /** Answers a request that failed before the orchestrator took it, and logs it. */
    public void fail(RoutingContext ctx, ApiException e) {
        RequestLog.failed(requestId(ctx), "http", e);
        send(ctx.response(), e, requestId(ctx));
    }

    /** Answers with the error envelope (the caller logged it). */
    void send(HttpServerResponse response, ApiException e, String requestId) {
        send(response, e.status(), json.error(e, requestId));
    }

    void send(HttpServerResponse response, int status, ObjectNode body) {
        send(response, status, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    public void send(HttpServerResponse response, int status, byte[] body) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(Buffer.buffer(body));
    }

    ObjectNode error(ApiException e, String requestId) {
        return json.error(e, requestId);
    }

    private static ApiException badUrl() {
        return ApiException.badRequest("the request URL is malformed (check its percent-encoding)", null,
                "invalid_url");
    }

    private void failure(RoutingContext ctx) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        if (ctx.get(KEY) == null) {
            ctx.put(KEY, "req-" + UUID.randomUUID().toString().replace("-", ""));
            ctx.response().putHeader(HEADER, requestId(ctx));
        }
        Throwable failure = ctx.failure();
        int status = ctx.statusCode();
        if (failure instanceof ApiException a) {
            fail(ctx, a);
        } else if (status == 413) {
            fail(ctx, ApiException.tooLarge("the request body is larger than " + settings.maxBodyBytes()
                    + " bytes (fovea.gateway.max-body-bytes)"));
        } else if (status == 400 || failure instanceof IllegalArgumentException) {
            fail(ctx, badUrl());
        } else if (status > 0 && status < 500) {
            fail(ctx, new ApiException(status, "invalid_request_error", "the request was refused (HTTP " + status
                    + ")", null, "invalid_request"));
        } else {
            LOG.errorf(failure, "request %s: unexpected failure", requestId(ctx));
            fail(ctx, ApiException.internal());
        }
    }
}
