package dev.fovea.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewaySettings;
import dev.fovea.gateway.chat.ChatCompletionRequest;
import dev.fovea.gateway.chat.ChatOrchestrator;
import dev.fovea.gateway.chat.ChatOutcome;
import dev.fovea.gateway.chat.ChatSink;
import dev.fovea.gateway.chat.TokenLogprob;
import dev.fovea.gateway.pipeline.PipelineRegistry;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

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
        HttpServerResponse response = ctx.response();
        List<ChatOrchestrator.Cancellation> running = new CopyOnWriteArrayList<>();
        Runnable cancelAll = () -> running.forEach(ChatOrchestrator.Cancellation::cancel);
        ReplyShape shape = ReplyShape.chat(json, id, request.model(), created, request.returnTokenIds());
        Choices choices = parsed.stream()
                ? new SseChoices(replies, response, shape, request.n(), parsed.includeUsage(), requestId, cancelAll)
                : new JsonChoices(replies, response, shape, request.n(), requestId, cancelAll);
        // the close handler goes on first: a client gone before the start still cancels what has started
        response.closeHandler(v -> cancelAll.run());
        for (int i = 0; i < request.n(); i++) {
            // n choices: n generations; a given seed gives choice i the seed + i, so the choices differ yet repeat
            ChatCompletionRequest run = i == 0 || request.sampling().seed() == null ? request
                    : request.withSeed(request.sampling().seed() + i);
            running.add(orchestrator.start(run, "http", parsed.stream(), choices.sink(i), requestId));
            if (response.closed()) {
                cancelAll.run();
            }
        }
    }

}
