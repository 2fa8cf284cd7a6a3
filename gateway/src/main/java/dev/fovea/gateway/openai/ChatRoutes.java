package dev.fovea.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewaySettings;
import dev.fovea.gateway.chat.ChatCompletionRequest;
import dev.fovea.gateway.chat.ChatOrchestrator;
import dev.fovea.gateway.chat.ChatOutcome;
import dev.fovea.gateway.chat.ChatSink;
import dev.fovea.gateway.pipeline.PipelineRegistry;
import io.vertx.core.http.HttpServerResponse;
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
        HttpServerResponse response = ctx.response();
        ChatSink sink = parsed.stream()
                ? new SseSink(response, id, request.model(), created, request.returnTokenIds(), parsed.includeUsage(),
                        requestId)
                : new JsonSink(response, id, request.model(), created, request.returnTokenIds(), requestId);
        // the close handler goes on first: a client gone before the start still cancels
        java.util.concurrent.CompletableFuture<ChatOrchestrator.Cancellation> cancellation =
                new java.util.concurrent.CompletableFuture<>();
        response.closeHandler(v -> cancellation.thenAccept(ChatOrchestrator.Cancellation::cancel));
        cancellation.complete(orchestrator.start(request, "http", parsed.stream(), sink, requestId));
    }

    private void send(HttpServerResponse response, int status, ObjectNode body) {
        replies.send(response, status, body);
    }

    /** The whole completion as one JSON body. */
    private final class JsonSink implements ChatSink {
        private final HttpServerResponse response;
        private final String id;
        private final String model;
        private final long created;
        private final boolean tokenIds;
        private final String requestId;

        JsonSink(HttpServerResponse response, String id, String model, long created, boolean tokenIds,
                 String requestId) {
            this.requestId = requestId;
            this.response = response;
            this.id = id;
            this.model = model;
            this.created = created;
            this.tokenIds = tokenIds;
        }

        @Override
        public void token(int tokenId, String text) {
        }

        @Override
        public void finished(ChatOutcome outcome) {
            send(response, 200, json.completion(id, model, created, outcome, tokenIds));
        }

        @Override
        public void failed(ApiException error) {
            replies.send(response, error, requestId);
        }
    }

    /** Server-sent events: headers go out with the first token, so earlier failures still get a real status. */
    private final class SseSink implements ChatSink {
        private final HttpServerResponse response;
        private final String id;
        private final String model;
        private final long created;
        private final boolean tokenIds;
        private final boolean includeUsage;
        private final String requestId;
        private boolean started;

        SseSink(HttpServerResponse response, String id, String model, long created, boolean tokenIds,
                boolean includeUsage, String requestId) {
            this.requestId = requestId;
            this.response = response;
            this.id = id;
            this.model = model;
            this.created = created;
            this.tokenIds = tokenIds;
            this.includeUsage = includeUsage;
        }

        @Override
        public synchronized void token(int tokenId, String text) {
            if (!started) {
                begin();
                event(json.chunk(id, model, created, text, true).toString());
            } else if (!text.isEmpty()) {
                event(json.chunk(id, model, created, text, false).toString());
            }
        }

        @Override
        public synchronized void finished(ChatOutcome outcome) {
            if (!started) {
                begin();
                event(json.chunk(id, model, created, "", true).toString());
            }
            event(json.finalChunk(id, model, created, outcome, tokenIds).toString());
            if (includeUsage) {
                event(json.usageChunk(id, model, created, outcome).toString());
            }
            event("[DONE]");
            if (!response.closed()) {
                response.end();
            }
        }

        @Override
        public synchronized void failed(ApiException error) {
            if (!started) {
                replies.send(response, error, requestId);
                return;
            }
            event(json.error(error, requestId).toString());
            if (!response.closed()) {
                response.end();
            }
        }

        private void begin() {
            started = true;
            if (!response.closed()) {
                response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "text/event-stream")
                        .putHeader("Cache-Control", "no-cache");
            }
        }

        private void event(String data) {
            if (!response.closed() && !response.ended()) {
                response.write("data: " + data + "\n\n");
            }
        }
    }
}
