package dev.fovea.gateway.openai;

import dev.fovea.gateway.ApiKeys;
import dev.fovea.gateway.GatewayMetrics;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The one owner of HTTP authentication: a route over {@code /v1/*} that runs right after the request id is set
 * ({@link HttpReplies}) and before any route's body handler, so a request without a valid key is answered 401
 * before its body is read, whatever route it was meant for (existing or not). Health and metrics live under
 * {@code /q/} and stay open for probes and scrapers.
 */
@ApplicationScoped
class ApiKeyFilter {
    /** After {@link HttpReplies}' request-id route (-1000), before every API route (0 and up). */
    static final int ORDER = -900;

    private final ApiKeys keys;
    private final GatewayMetrics metrics;
    private final HttpReplies replies;

    ApiKeyFilter(ApiKeys keys, GatewayMetrics metrics, HttpReplies replies) {
        this.keys = keys;
        this.metrics = metrics;
        this.replies = replies;
    }

    void register(@Observes Router router) {
        if (keys.enabled()) {
            router.route("/v1/*").order(ORDER).handler(this::check);
            // vLLM's token routes sit beside /v1 and reach the model too
            router.route("/tokenize").order(ORDER).handler(this::check);
            router.route("/detokenize").order(ORDER).handler(this::check);
        }
    }

    private void check(RoutingContext ctx) {
        ApiKeys.Verdict verdict = keys.check(ctx.request().getHeader("Authorization"));
        if (verdict == ApiKeys.Verdict.ACCEPTED) {
            ctx.next();
            return;
        }
        metrics.authRejected("http", verdict.reason());
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        replies.fail(ctx, verdict.error());
    }
}
