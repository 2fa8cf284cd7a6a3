package dev.fovea.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewaySettings;
import dev.fovea.gateway.chat.ChatCompletionRequest;
import dev.fovea.gateway.chat.ChatOrchestrator;
import dev.fovea.gateway.pipeline.PipelineRegistry;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;

/**
 * The OpenAI-compatible HTTP API on plain Vert.x routes: full control of the status line (errors before the first
 * token are JSON with a 4xx/5xx status even for streams), of SSE framing, and of the connection's close, which
 * cancels the request's backend calls.
 */
@ApplicationScoped
class ChatRoutes {
    private final ChatOrchestrator orchestrator;
    private final PipelineRegistry registry;
    private final GatewaySettings settings;
    private final JsonBodies bodies;
    private final HttpReplies replies;
    private final OpenAiJson json;

    ChatRoutes(ChatOrchestrator orchestrator, PipelineRegistry registry, GatewaySettings settings, JsonBodies bodies,
               HttpReplies replies) {
        this.orchestrator = orchestrator;
        this.registry = registry;
        this.settings = settings;
        this.bodies = bodies;
        this.replies = replies;
        this.json = new OpenAiJson(bodies.mapper());
    }

    void register(@Observes Router router) {
        router.post("/v1/chat/completions")
                .handler(BodyHandler.create(false).setBodyLimit(settings.maxBodyBytes()))
                .handler(this::chat);
        router.get("/v1/models").handler(ctx -> replies.send(ctx.response(), 200, json.models(registry.all())));
        router.get("/v1/models/:id").handler(ctx -> registry.find(ctx.pathParam("id")).ifPresentOrElse(
                p -> replies.send(ctx.response(), 200, json.model(p)),
                () -> replies.fail(ctx, ApiException.unknownModel(ctx.pathParam("id")))));
    }

    private void chat(RoutingContext ctx) {
        String requestId = HttpReplies.requestId(ctx);
        OpenAiRequestParser.Parsed parsed;
        try {
            JsonNode body = bodies.read(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
            parsed = OpenAiRequestParser.parse(body, settings.maxMessages());
        } catch (ApiException e) {
            replies.fail(ctx, e);
            return;
        }
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        ChatCompletionRequest request = parsed.request();
        Choices.run(orchestrator, replies, ctx.response(), ReplyShape.chat(json, id, request.model(), created,
                request.returnTokenIds()), request, parsed.stream(), parsed.includeUsage(), requestId);
    }
}
