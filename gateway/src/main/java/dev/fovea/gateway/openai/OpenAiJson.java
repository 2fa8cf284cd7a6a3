package dev.fovea.gateway.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.InternalNames;
import dev.fovea.gateway.chat.ChatOutcome;
import dev.fovea.gateway.chat.GroundingBox;
import dev.fovea.gateway.chat.TokenLogprob;
import dev.fovea.gateway.chat.ToolCall;
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
        return completion(id, model, created, List.of(o), tokenIds);
    }

    /** A completion with one choice per outcome ({@code n}); usage counts the prompt once. */
    public ObjectNode completion(String id, String model, long created, List<ChatOutcome> outcomes,
                                 boolean tokenIds) {
        ObjectNode root = head(id, "chat.completion", model, created);
        ArrayNode choices = root.putArray("choices");
        for (int i = 0; i < outcomes.size(); i++) {
            ChatOutcome o = outcomes.get(i);
            ObjectNode choice = choices.addObject();
            choice.put("index", i);
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            if (o.toolCalls().isEmpty()) {
                message.put("content", o.text());
            } else {
                message.putNull("content");
                message.set("tool_calls", toolCalls(o.toolCalls(), false));
            }
            message.putNull("refusal");
            ObjectNode ext = extension(o, tokenIds);
            if (ext != null) {
                message.set("fovea", ext);
            }
            if (o.logprobs() == null) {
                choice.putNull("logprobs");
            } else {
                choice.putObject("logprobs").set("content", logprobs(o.logprobs()));
            }
            choice.put("finish_reason", o.finishReason());
        }
        root.set("usage", usage(outcomes));
        return root;
    }

    /** A content chunk of choice {@code index}; the first of each choice also carries the role. */
    ObjectNode chunk(String id, String model, long created, int index, String content, boolean first,
                     TokenLogprob logprob) {
        ObjectNode root = head(id, "chat.completion.chunk", model, created);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", index);
        ObjectNode delta = choice.putObject("delta");
        if (first) {
            delta.put("role", "assistant");
        }
        delta.put("content", content);
        if (logprob == null) {
            choice.putNull("logprobs");
        } else {
            choice.putObject("logprobs").set("content", logprobs(List.of(logprob)));
        }
        choice.putNull("finish_reason");
        return root;
    }

    /** The chunk that carries a choice's function calls (they are sent whole, once the answer is finished). */
    ObjectNode toolCallChunk(String id, String model, long created, int index, ChatOutcome o) {
        ObjectNode root = head(id, "chat.completion.chunk", model, created);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", index);
        choice.putObject("delta").set("tool_calls", toolCalls(o.toolCalls(), true));
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return root;
    }

    /** The last chunk of choice {@code index}: empty delta (but for the extension) and the finish reason. */
    ObjectNode finalChunk(String id, String model, long created, int index, ChatOutcome o, boolean tokenIds) {
        ObjectNode root = head(id, "chat.completion.chunk", model, created);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", index);
        ObjectNode delta = choice.putObject("delta");
        ObjectNode ext = extension(o, tokenIds);
        if (ext != null) {
            delta.set("fovea", ext);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", o.finishReason());
        return root;
    }

    /** {@code /v1/completions}' answer: each choice's text (after the prompt with {@code echo}), logprobs. */
    ObjectNode textCompletion(String id, String model, long created, List<ChatOutcome> outcomes, String echo) {
        ObjectNode root = head(id, "text_completion", model, created);
        ArrayNode choices = root.putArray("choices");
        for (int i = 0; i < outcomes.size(); i++) {
            ChatOutcome o = outcomes.get(i);
            ObjectNode choice = choices.addObject();
            choice.put("index", i);
            choice.put("text", echo == null ? o.text() : echo + o.text());
            if (o.logprobs() == null) {
                choice.putNull("logprobs");
            } else {
                choice.set("logprobs", legacyLogprobs(o.logprobs()));
            }
            choice.put("finish_reason", o.finishReason());
        }
        root.set("usage", usage(outcomes));
        return root;
    }

    ObjectNode textChunk(String id, String model, long created, int index, String text, TokenLogprob logprob,
                         String finishReason) {
        ObjectNode root = head(id, "text_completion", model, created);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", index);
        choice.put("text", text);
        if (logprob == null) {
            choice.putNull("logprobs");
        } else {
            choice.set("logprobs", legacyLogprobs(List.of(logprob)));
        }
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return root;
    }

    ObjectNode textUsageChunk(String id, String model, long created, List<ChatOutcome> outcomes) {
        ObjectNode root = head(id, "text_completion", model, created);
        root.putArray("choices");
        root.set("usage", usage(outcomes));
        return root;
    }

    /** The completions API's logprobs layout: parallel lists of tokens, their logprobs, and top alternatives. */
    private ObjectNode legacyLogprobs(List<TokenLogprob> entries) {
        ObjectNode n = json.createObjectNode();
        ArrayNode tokens = n.putArray("tokens");
        ArrayNode lps = n.putArray("token_logprobs");
        ArrayNode top = n.putArray("top_logprobs");
        ArrayNode offsets = n.putArray("text_offset");
        int offset = 0;
        for (TokenLogprob e : entries) {
            tokens.add(e.token());
            lps.add(e.logprob());
            ObjectNode alternatives = top.addObject();
            e.top().forEach(t -> alternatives.put(t.token(), t.logprob()));
            offsets.add(offset);
            offset += e.token().length();
        }
        return n;
    }

    /** OpenAI's usage chunk ({@code stream_options.include_usage}): no choices. */
    ObjectNode usageChunk(String id, String model, long created, List<ChatOutcome> outcomes) {
        ObjectNode root = head(id, "chat.completion.chunk", model, created);
        root.putArray("choices");
        root.set("usage", usage(outcomes));
        return root;
    }

    private ArrayNode toolCalls(List<ToolCall> calls, boolean indexed) {
        ArrayNode a = json.createArrayNode();
        for (int i = 0; i < calls.size(); i++) {
            ToolCall c = calls.get(i);
            ObjectNode n = a.addObject();
            if (indexed) {
                n.put("index", i);
            }
            n.put("id", c.id());
            n.put("type", "function");
            ObjectNode f = n.putObject("function");
            f.put("name", c.name());
            f.put("arguments", c.arguments());
        }
        return a;
    }

    private ArrayNode logprobs(List<TokenLogprob> entries) {
        ArrayNode a = json.createArrayNode();
        for (TokenLogprob e : entries) {
            ObjectNode n = logprob(a.addObject(), e);
            ArrayNode top = n.putArray("top_logprobs");
            e.top().forEach(t -> logprob(top.addObject(), t));
        }
        return a;
    }

    private static ObjectNode logprob(ObjectNode n, TokenLogprob e) {
        n.put("token", e.token());
        n.put("logprob", e.logprob());
        ArrayNode bytes = n.putArray("bytes");
        for (byte b : e.bytes()) {
            bytes.add(b & 0xFF);
        }
        return n;
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

    private ObjectNode usage(List<ChatOutcome> outcomes) {
        int prompt = outcomes.get(0).promptTokens();
        int completion = outcomes.stream().mapToInt(ChatOutcome::completionTokens).sum();
        int cached = outcomes.stream().mapToInt(ChatOutcome::cachedTokens).max().orElse(0);
        ObjectNode u = json.createObjectNode();
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
        u.putObject("prompt_tokens_details").put("cached_tokens", cached);
        return u;
    }

    /** Usage of a request that generated nothing (embeddings): prompt tokens only. */
    ObjectNode promptUsage(int promptTokens) {
        ObjectNode u = json.createObjectNode();
        u.put("prompt_tokens", promptTokens);
        u.put("total_tokens", promptTokens);
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
