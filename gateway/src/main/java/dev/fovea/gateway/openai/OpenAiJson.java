package dev.fovea.gateway.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.InternalNames;
import dev.fovea.gateway.chat.ChatOutcome;
import dev.fovea.gateway.chat.GroundingBox;
import dev.fovea.gateway.pipeline.PipelineConfig;
import java.util.Collection;
import java.util.List;

/** The OpenAI wire shapes the gateway answers with, and Fovea's extension object {@code fovea} in them. */
public final class OpenAiJson {
    private final ObjectMapper json;

    public OpenAiJson(ObjectMapper json) {
        this.json = json;
    }

    public ObjectNode completion(String id, String model, long created, ChatOutcome o, boolean tokenIds) {
        ObjectNode root = head(id, "chat.completion", model, created);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", o.text());
        ObjectNode ext = extension(o, tokenIds);
        if (ext != null) {
            message.set("fovea", ext);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", o.finishReason());
        root.set("usage", usage(o));
        return root;
    }

    /** A content chunk; the first of a stream also carries the role. */
    ObjectNode chunk(String id, String model, long created, String content, boolean first) {
        ObjectNode root = head(id, "chat.completion.chunk", model, created);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (first) {
            delta.put("role", "assistant");
        }
        delta.put("content", content);
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return root;
    }

    /** The last choice chunk: empty delta (but for the extension) and the finish reason. */
    ObjectNode finalChunk(String id, String model, long created, ChatOutcome o, boolean tokenIds) {
        ObjectNode root = head(id, "chat.completion.chunk", model, created);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        ObjectNode ext = extension(o, tokenIds);
        if (ext != null) {
            delta.set("fovea", ext);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", o.finishReason());
        return root;
    }

    /** OpenAI's usage chunk ({@code stream_options.include_usage}): no choices. */
    ObjectNode usageChunk(String id, String model, long created, ChatOutcome o) {
        ObjectNode root = head(id, "chat.completion.chunk", model, created);
        root.putArray("choices");
        root.set("usage", usage(o));
        return root;
    }

    /** OpenAI's error envelope, plus the request id the log lines carry. */
    ObjectNode error(ApiException e, String requestId) {
        ObjectNode root = json.createObjectNode();
        ObjectNode err = root.putObject("error");
        // the last guard: whatever produced the message, no Java name reaches the client
        err.put("message", InternalNames.scrub(e.getMessage()));
        err.put("type", e.type());
        if (e.param() == null) {
            err.putNull("param");
        } else {
            err.put("param", e.param());
        }
        if (e.code() == null) {
            err.putNull("code");
        } else {
            err.put("code", e.code());
        }
        if (requestId != null) {
            err.put("request_id", requestId);
        }
        return root;
    }

    ObjectNode models(Collection<PipelineConfig> pipelines) {
        ObjectNode root = json.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (PipelineConfig p : pipelines) {
            data.add(model(p));
        }
        return root;
    }

    ObjectNode model(PipelineConfig p) {
        ObjectNode m = json.createObjectNode();
        m.put("id", p.model());
        m.put("object", "model");
        m.put("created", 0);
        m.put("owned_by", "fovea");
        ObjectNode ext = m.putObject("fovea");
        ext.put("vision", !p.encoders().isEmpty());
        ArrayNode encoders = ext.putArray("encoders");
        p.encoders().forEach(e -> encoders.add(e.name()));
        ArrayNode combinations = ext.putArray("combinations");
        p.combinations().keySet().stream().sorted().forEach(combinations::add);
        ext.put("tiling", p.tiling().name().toLowerCase(java.util.Locale.ROOT));
        return m;
    }

    private ObjectNode head(String id, String object, String model, long created) {
        ObjectNode root = json.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        root.putNull("system_fingerprint");
        return root;
    }

    private ObjectNode usage(ChatOutcome o) {
        ObjectNode u = json.createObjectNode();
        u.put("prompt_tokens", o.promptTokens());
        u.put("completion_tokens", o.completionTokens());
        u.put("total_tokens", o.promptTokens() + o.completionTokens());
        return u;
    }

    private ObjectNode extension(ChatOutcome o, boolean tokenIds) {
        if (o.boxes().isEmpty() && !tokenIds) {
            return null;
        }
        ObjectNode ext = json.createObjectNode();
        if (!o.boxes().isEmpty()) {
            ArrayNode boxes = ext.putArray("boxes");
            for (GroundingBox b : o.boxes()) {
                ObjectNode n = boxes.addObject();
                n.put("label", b.label());
                n.put("image", 0);
                n.put("x1", b.x1());
                n.put("y1", b.y1());
                n.put("x2", b.x2());
                n.put("y2", b.y2());
            }
        }
        if (tokenIds) {
            ArrayNode ids = ext.putArray("token_ids");
            List<Integer> l = o.tokenIds();
            l.forEach(ids::add);
        }
        return ext;
    }
}
