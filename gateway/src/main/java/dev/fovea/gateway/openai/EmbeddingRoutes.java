package dev.fovea.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewaySettings;
import dev.fovea.gateway.chat.EmbeddingService;
import dev.fovea.gateway.chat.ImageSource;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * OpenAI's {@code /v1/embeddings}: each input (a string, token ids, or — Fovea's extension — an
 * {@code image_url} part) becomes one unit-length vector ({@link EmbeddingService}), as floats or base64 of
 * little-endian float32 ({@code encoding_format}).
 */
@ApplicationScoped
class EmbeddingRoutes {
    private static final int MAX_INPUTS = 256;

    private final EmbeddingService embeddings;
    private final GatewaySettings settings;
    private final JsonBodies bodies;
    private final HttpReplies replies;

    EmbeddingRoutes(EmbeddingService embeddings, GatewaySettings settings, JsonBodies bodies, HttpReplies replies) {
        this.embeddings = embeddings;
        this.settings = settings;
        this.bodies = bodies;
        this.replies = replies;
    }

    void register(@Observes Router router) {
        router.post("/v1/embeddings")
                .handler(BodyHandler.create(false).setBodyLimit(settings.maxBodyBytes()))
                .blockingHandler(this::embed, false);
    }

    private void embed(RoutingContext ctx) {
        try {
            JsonNode body = bodies.read(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
            if (body == null || !body.isObject()) {
                throw ApiException.badRequest("the request body must be a JSON object", null, "invalid_json");
            }
            String model = body.path("model").asText("");
            if (model.isEmpty()) {
                throw ApiException.badRequest("you must provide a model", "model", "missing_required_parameter");
            }
            String format = body.path("encoding_format").asText("float");
            if (!format.equals("float") && !format.equals("base64")) {
                throw ApiException.badRequest("encoding_format must be float or base64", "encoding_format",
                        "invalid_value");
            }
            List<CompletableFuture<EmbeddingService.Vector>> vectors = new ArrayList<>();
            for (JsonNode item : inputs(body.get("input"))) {
                vectors.add(vector(model, item, vectors.size()));
            }
            ObjectNode root = bodies.mapper().createObjectNode();
            root.put("object", "list");
            ArrayNode data = root.putArray("data");
            int tokens = 0;
            for (int i = 0; i < vectors.size(); i++) {
                EmbeddingService.Vector v = await(vectors.get(i));
                if (body.hasNonNull("dimensions") && body.get("dimensions").asInt() != v.values().length) {
                    throw ApiException.badRequest("dimensions: this model's embeddings have " + v.values().length
                            + " dimensions and cannot be shortened", "dimensions", "unsupported_value");
                }
                tokens += v.promptTokens();
                ObjectNode e = data.addObject();
                e.put("object", "embedding");
                e.put("index", i);
                if (format.equals("base64")) {
                    ByteBuffer buf = ByteBuffer.allocate(v.values().length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    for (float f : v.values()) {
                        buf.putFloat(f);
                    }
                    e.put("embedding", Base64.getEncoder().encodeToString(buf.array()));
                } else {
                    ArrayNode a = e.putArray("embedding");
                    for (float f : v.values()) {
                        a.add(f);
                    }
                }
            }
            root.put("model", model);
            ObjectNode usage = root.putObject("usage");
            usage.put("prompt_tokens", tokens);
            usage.put("total_tokens", tokens);
            replies.send(ctx.response(), 200, root);
        } catch (ApiException e) {
            replies.fail(ctx, e);
        }
    }

    /** The inputs: one string, an array of strings, token ids, arrays of token ids, or image parts. */
    private static List<JsonNode> inputs(JsonNode input) {
        if (input == null || input.isNull()) {
            throw ApiException.badRequest("missing required parameter 'input'", "input", "missing_required_parameter");
        }
        List<JsonNode> out = new ArrayList<>();
        if (input.isTextual() || input.isObject()) {
            out.add(input);
        } else if (input.isArray() && !input.isEmpty() && input.get(0).isIntegralNumber()) {
            out.add(input); // one prompt as token ids
        } else if (input.isArray()) {
            input.forEach(out::add);
        }
        if (out.isEmpty() || out.size() > MAX_INPUTS) {
            throw ApiException.badRequest("input must hold 1 to " + MAX_INPUTS + " items", "input", "invalid_value");
        }
        return out;
    }

    private CompletableFuture<EmbeddingService.Vector> vector(String model, JsonNode item, int index) {
        String param = "input[" + index + "]";
        if (item.isTextual()) {
            if (item.textValue().isEmpty()) {
                throw ApiException.badRequest(param + " is empty", param, "invalid_value");
            }
            return embeddings.text(model, item.textValue(), null);
        }
        if (item.isArray()) {
            int[] ids = new int[item.size()];
            for (int i = 0; i < ids.length; i++) {
                if (!item.get(i).isIntegralNumber()) {
                    throw ApiException.badRequest(param + " must be a string or token ids", param, "invalid_type");
                }
                ids[i] = item.get(i).intValue();
            }
            if (ids.length == 0) {
                throw ApiException.badRequest(param + " is empty", param, "invalid_value");
            }
            return embeddings.text(model, null, ids);
        }
        if (item.isObject() && "image_url".equals(item.path("type").asText())) {
            JsonNode image = item.get("image_url");
            String url = image != null && image.isTextual() ? image.textValue() : image == null ? null
                    : image.path("url").asText(null);
            if (url == null) {
                throw ApiException.badRequest(param + ".image_url.url must be a string", param, "invalid_type");
            }
            return embeddings.image(model, ImageSource.ofUrl(url), index);
        }
        throw ApiException.badRequest(param + " must be a string, token ids or {\"type\": \"image_url\", ...}", param,
                "invalid_type");
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof ApiException a) {
                throw a;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted");
        }
    }
}
