package dev.fovea.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.engine.template.ChatMessage;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewaySettings;
import dev.fovea.gateway.chat.ChatCompletionRequest;
import dev.fovea.gateway.chat.ChatOrchestrator;
import dev.fovea.gateway.chat.RawPrompt;
import dev.fovea.gateway.chat.ResponseFormat;
import dev.fovea.gateway.chat.SamplingParams;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.UUID;

/**
 * OpenAI's {@code /v1/completions}: a prompt (text, or token ids) continued without the chat template, through the
 * same orchestration, sampling, choices and streaming as chat completions.
 */
@ApplicationScoped
class CompletionRoutes {
    /** OpenAI's default for completions (chat completions default to what the context leaves). */
    private static final long DEFAULT_MAX_TOKENS = 16;

    private final ChatOrchestrator orchestrator;
    private final GatewaySettings settings;
    private final JsonBodies bodies;
    private final HttpReplies replies;
    private final OpenAiJson json;

    CompletionRoutes(ChatOrchestrator orchestrator, GatewaySettings settings, JsonBodies bodies, HttpReplies replies) {
        this.orchestrator = orchestrator;
        this.settings = settings;
        this.bodies = bodies;
        this.replies = replies;
        this.json = new OpenAiJson(bodies.mapper());
    }

    void register(@Observes Router router) {
        router.post("/v1/completions")
                .handler(BodyHandler.create(false).setBodyLimit(settings.maxBodyBytes()))
                .handler(this::complete);
    }

    private void complete(RoutingContext ctx) {
        String requestId = HttpReplies.requestId(ctx);
        ChatCompletionRequest request;
        boolean stream;
        boolean includeUsage;
        String echo;
        try {
            JsonNode body = bodies.read(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
            if (body == null || !body.isObject()) {
                throw ApiException.badRequest("the request body must be a JSON object", null, "invalid_json");
            }
            RawPrompt prompt = prompt(body.get("prompt"));
            if (body.hasNonNull("suffix") && !body.get("suffix").asText().isEmpty()) {
                throw ApiException.badRequest("suffix (fill in the middle) is not supported", "suffix",
                        "unsupported_parameter");
            }
            int n = body.hasNonNull("n") ? body.get("n").asInt(0) : 1;
            if (body.hasNonNull("best_of") && body.get("best_of").asInt() != n) {
                throw ApiException.badRequest("best_of must equal n (choices are not ranked)", "best_of",
                        "unsupported_value");
            }
            int topLogprobs = -1;
            if (body.hasNonNull("logprobs")) {
                JsonNode lp = body.get("logprobs");
                if (!lp.isIntegralNumber() || lp.intValue() < 0 || lp.intValue() > 20) {
                    throw ApiException.badRequest("logprobs must be an integer between 0 and 20", "logprobs",
                            "invalid_value");
                }
                topLogprobs = lp.intValue();
            }
            boolean echoPrompt = body.path("echo").asBoolean(false);
            if (echoPrompt && prompt.text() == null) {
                throw ApiException.badRequest("echo needs a text prompt", "echo", "unsupported_value");
            }
            echo = echoPrompt ? prompt.text() : null;
            SamplingParams sampling = OpenAiRequestParser.sampling(body);
            long maxTokens = body.hasNonNull("max_tokens") ? body.get("max_tokens").asLong(0) : DEFAULT_MAX_TOKENS;
            if (maxTokens < 1) {
                throw ApiException.badRequest("max_tokens must be at least 1", "max_tokens", "invalid_value");
            }
            List<String> stop = body.hasNonNull("stop") ? (body.get("stop").isTextual()
                    ? List.of(body.get("stop").textValue())
                    : bodies.mapper().convertValue(body.get("stop"),
                    bodies.mapper().getTypeFactory().constructCollectionType(List.class, String.class)))
                    : List.of();
            String model = body.path("model").asText("");
            request = new ChatCompletionRequest(model, List.of(ChatMessage.text("user",
                    prompt.text() == null ? "" : prompt.text())), List.of(), sampling, maxTokens, stop, null, false,
                    ResponseFormat.TEXT, null, topLogprobs, n, prompt);
            stream = body.path("stream").asBoolean(false);
            includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        } catch (ApiException e) {
            replies.fail(ctx, e);
            return;
        } catch (IllegalArgumentException e) {
            replies.fail(ctx, ApiException.badRequest(e.getMessage(), null, "invalid_value"));
            return;
        }
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        Choices.run(orchestrator, replies, ctx.response(), ReplyShape.text(json, id, request.model(), created, echo),
                request, stream, includeUsage, requestId);
    }

    /** One prompt: a string, or token ids (a one-element list of either is the same). */
    private static RawPrompt prompt(JsonNode p) {
        if (p == null || p.isNull()) {
            throw ApiException.badRequest("missing required parameter 'prompt'", "prompt",
                    "missing_required_parameter");
        }
        if (p.isArray() && p.size() == 1 && (p.get(0).isTextual() || p.get(0).isArray())) {
            p = p.get(0);
        }
        if (p.isTextual()) {
            return new RawPrompt(OpenAiRequestParser.text(p.textValue(), "prompt").text(), null);
        }
        if (p.isArray() && !p.isEmpty() && p.get(0).isIntegralNumber()) {
            int[] ids = new int[p.size()];
            for (int i = 0; i < ids.length; i++) {
                if (!p.get(i).isIntegralNumber()) {
                    throw ApiException.badRequest("prompt token ids must be integers", "prompt", "invalid_type");
                }
                ids[i] = p.get(i).intValue();
            }
            return new RawPrompt(null, ids);
        }
        throw ApiException.badRequest("prompt must be a string or an array of token ids (one prompt per request)",
                "prompt", "invalid_value");
    }
}
