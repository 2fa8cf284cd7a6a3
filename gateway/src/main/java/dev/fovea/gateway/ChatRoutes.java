package dev.fovea.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
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
    private final ObjectMapper mapper;
    private final OpenAiJson json;

    ChatRoutes(ChatOrchestrator orchestrator, PipelineRegistry registry, GatewaySettings settings) {
        this.orchestrator = orchestrator;
        this.registry = registry;
        this.settings = settings;
        this.mapper = new ObjectMapper();
        this.json = new OpenAiJson(mapper);
    }

    void register(@Observes Router router) {
        router.post("/v1/chat/completions")
                .handler(BodyHandler.create(false).setBodyLimit(settings.maxBodyBytes()))
                .handler(this::chat)
                .failureHandler(this::failure);
        router.get("/v1/models").handler(ctx -> send(ctx.response(), 200, json.models(registry.all())));
        router.get("/v1/models/:id").handler(ctx -> registry.find(ctx.pathParam("id")).ifPresentOrElse(
                p -> send(ctx.response(), 200, json.model(p)),
                () -> error(ctx.response(), ApiException.unknownModel(ctx.pathParam("id")))));
    }

    private void failure(RoutingContext ctx) {
        if (ctx.statusCode() == 413) {
            error(ctx.response(), ApiException.tooLarge("the request body is larger than "
                    + settings.maxBodyBytes() + " bytes (fovea.gateway.max-body-bytes)"));
        } else if (ctx.failure() instanceof ApiException a) {
            error(ctx.response(), a);
        } else {
            int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
            error(ctx.response(), new ApiException(status, status < 500 ? "invalid_request_error" : "server_error",
                    ctx.failure() == null ? "request failed" : ctx.failure().toString(), null, null));
        }
    }

    private void chat(RoutingContext ctx) {
        OpenAiRequestParser.Parsed parsed;
        try {
            JsonNode body;
            try {
                body = mapper.readTree(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
            } catch (JsonProcessingException e) {
                throw ApiException.badRequest("the request body is not valid JSON: " + e.getOriginalMessage(), null,
                        "invalid_json");
            } catch (IOException e) {
                throw ApiException.badRequest("the request body cannot be read: " + e.getMessage(), null,
                        "invalid_json");
            }
            parsed = OpenAiRequestParser.parse(body, settings.defaultMaxTokens());
        } catch (ApiException e) {
            error(ctx.response(), e);
            return;
        }
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        ChatCompletionRequest request = parsed.request();
        HttpServerResponse response = ctx.response();
        ChatSink sink = parsed.stream()
                ? new SseSink(response, id, request.model(), created, request.returnTokenIds(), parsed.includeUsage())
                : new JsonSink(response, id, request.model(), created, request.returnTokenIds());
        // the close handler goes on first: a client gone before the start still cancels
        java.util.concurrent.CompletableFuture<ChatOrchestrator.Cancellation> cancellation =
                new java.util.concurrent.CompletableFuture<>();
        response.closeHandler(v -> cancellation.thenAccept(ChatOrchestrator.Cancellation::cancel));
        cancellation.complete(orchestrator.start(request, "http", parsed.stream(), sink));
    }

    private void send(HttpServerResponse response, int status, ObjectNode body) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
    }

    private void error(HttpServerResponse response, ApiException e) {
        send(response, e.status(), json.error(e));
    }

    /** The whole completion as one JSON body. */
    private final class JsonSink implements ChatSink {
        private final HttpServerResponse response;
        private final String id;
        private final String model;
        private final long created;
        private final boolean tokenIds;

        JsonSink(HttpServerResponse response, String id, String model, long created, boolean tokenIds) {
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
            error(response, error);
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
        private boolean started;

        SseSink(HttpServerResponse response, String id, String model, long created, boolean tokenIds,
                boolean includeUsage) {
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
                error(response, error);
                return;
            }
            event(json.error(error).toString());
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
