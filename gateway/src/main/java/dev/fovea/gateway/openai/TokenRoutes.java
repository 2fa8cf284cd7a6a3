package dev.fovea.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewaySettings;
import dev.fovea.gateway.backend.BackendCalls;
import dev.fovea.gateway.pipeline.PipelineConfig;
import dev.fovea.gateway.pipeline.PipelineRegistry;
import dev.fovea.proto.v1.DetokenizeRequest;
import dev.fovea.proto.v1.LlmServiceGrpc;
import dev.fovea.proto.v1.TokenizeRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * vLLM's {@code /tokenize} ({@code {"model", "prompt", "add_special_tokens"}} → {@code {"tokens", "count",
 * "max_model_len"}}) and {@code /detokenize} ({@code {"model", "tokens"}} → {@code {"prompt"}}), on the model's LLM.
 */
@ApplicationScoped
class TokenRoutes {
    private final PipelineRegistry registry;
    private final BackendCalls calls;
    private final GatewaySettings settings;
    private final JsonBodies bodies;
    private final HttpReplies replies;

    TokenRoutes(PipelineRegistry registry, BackendCalls calls, GatewaySettings settings, JsonBodies bodies,
                HttpReplies replies) {
        this.registry = registry;
        this.calls = calls;
        this.settings = settings;
        this.bodies = bodies;
        this.replies = replies;
    }

    void register(@Observes Router router) {
        router.post("/tokenize").handler(BodyHandler.create(false).setBodyLimit(settings.maxBodyBytes()))
                .handler(this::tokenize);
        router.post("/detokenize").handler(BodyHandler.create(false).setBodyLimit(settings.maxBodyBytes()))
                .handler(this::detokenize);
    }

    private JsonNode body(RoutingContext ctx) {
        JsonNode body = bodies.read(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("the request body must be a JSON object", null, "invalid_json");
        }
        return body;
    }

    private PipelineConfig pipeline(JsonNode body) {
        String model = body.path("model").asText("");
        return registry.find(model).orElseThrow(() -> ApiException.unknownModel(model));
    }

    private void tokenize(RoutingContext ctx) {
        try {
            JsonNode body = body(ctx);
            PipelineConfig p = pipeline(body);
            JsonNode prompt = body.get("prompt");
            if (prompt == null || !prompt.isTextual()) {
                throw ApiException.badRequest("prompt must be a string", "prompt", "invalid_type");
            }
            boolean special = body.path("add_special_tokens").asBoolean(true);
            calls.anyLlm(p.llm(), LlmServiceGrpc.getTokenizeMethod(), TokenizeRequest.newBuilder()
                    .setText(prompt.textValue()).setAddSpecial(special).setParseSpecial(true).build())
                    .whenComplete((r, e) -> {
                        if (e != null) {
                            replies.fail(ctx, failure(e));
                            return;
                        }
                        ObjectNode out = bodies.mapper().createObjectNode();
                        ArrayNode tokens = out.putArray("tokens");
                        r.getIdsList().forEach(tokens::add);
                        out.put("count", r.getIdsCount());
                        replies.send(ctx.response(), 200, out);
                    });
        } catch (ApiException e) {
            replies.fail(ctx, e);
        }
    }

    private void detokenize(RoutingContext ctx) {
        try {
            JsonNode body = body(ctx);
            PipelineConfig p = pipeline(body);
            JsonNode tokens = body.get("tokens");
            if (tokens == null || !tokens.isArray()) {
                throw ApiException.badRequest("tokens must be an array of token ids", "tokens", "invalid_type");
            }
            DetokenizeRequest.Builder req = DetokenizeRequest.newBuilder();
            for (JsonNode t : tokens) {
                if (!t.isIntegralNumber()) {
                    throw ApiException.badRequest("tokens must be an array of token ids", "tokens", "invalid_type");
                }
                req.addIds(t.intValue());
            }
            calls.anyLlm(p.llm(), LlmServiceGrpc.getDetokenizeMethod(), req.build()).whenComplete((r, e) -> {
                if (e != null) {
                    replies.fail(ctx, failure(e));
                    return;
                }
                ObjectNode out = bodies.mapper().createObjectNode();
                out.put("prompt", r.getText());
                replies.send(ctx.response(), 200, out);
            });
        } catch (ApiException e) {
            replies.fail(ctx, e);
        }
    }

    private static ApiException failure(Throwable e) {
        Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return c instanceof ApiException a ? a : ApiException.internal();
    }
}
