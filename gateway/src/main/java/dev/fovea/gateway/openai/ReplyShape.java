package dev.fovea.gateway.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.chat.ChatOutcome;
import dev.fovea.gateway.chat.TokenLogprob;
import java.util.List;

/**
 * The JSON an answer takes, chat completion or text completion, so that one way of collecting and streaming n
 * choices ({@link JsonChoices}, {@link SseChoices}) serves both endpoints.
 */
interface ReplyShape {
    ObjectNode completion(List<ChatOutcome> outcomes);

    /** A chunk of choice {@code index}'s text (null: a chat chunk with the role only, before a tool call). */
    ObjectNode chunk(int index, String text, boolean first, TokenLogprob logprob);

    ObjectNode toolCallChunk(int index, ChatOutcome outcome);

    ObjectNode finalChunk(int index, ChatOutcome outcome);

    ObjectNode usageChunk(List<ChatOutcome> outcomes);

    ObjectNode error(ApiException e, String requestId);

    static ReplyShape chat(OpenAiJson json, String id, String model, long created, boolean tokenIds) {
        return new ReplyShape() {
            @Override
            public ObjectNode completion(List<ChatOutcome> outcomes) {
                return json.completion(id, model, created, outcomes, tokenIds);
            }

            @Override
            public ObjectNode chunk(int index, String text, boolean first, TokenLogprob logprob) {
                ObjectNode chunk = json.chunk(id, model, created, index, text == null ? "" : text, first, logprob);
                if (text == null) {
                    ((ObjectNode) chunk.get("choices").get(0).get("delta")).putNull("content");
                }
                return chunk;
            }

            @Override
            public ObjectNode toolCallChunk(int index, ChatOutcome outcome) {
                return json.toolCallChunk(id, model, created, index, outcome);
            }

            @Override
            public ObjectNode finalChunk(int index, ChatOutcome outcome) {
                return json.finalChunk(id, model, created, index, outcome, tokenIds);
            }

            @Override
            public ObjectNode usageChunk(List<ChatOutcome> outcomes) {
                return json.usageChunk(id, model, created, outcomes);
            }

            @Override
            public ObjectNode error(ApiException e, String requestId) {
                return json.error(e, requestId);
            }
        };
    }

    /** {@code /v1/completions}: {@code echo} puts the prompt text before each choice's text. */
    static ReplyShape text(OpenAiJson json, String id, String model, long created, String echo) {
        return new ReplyShape() {
            @Override
            public ObjectNode completion(List<ChatOutcome> outcomes) {
                return json.textCompletion(id, model, created, outcomes, echo);
            }

            @Override
            public ObjectNode chunk(int index, String text, boolean first, TokenLogprob logprob) {
                String t = text == null ? "" : text;
                return json.textChunk(id, model, created, index, first && echo != null ? echo + t : t, logprob,
                        null);
            }

            @Override
            public ObjectNode toolCallChunk(int index, ChatOutcome outcome) {
                throw new IllegalStateException("completions have no tool calls");
            }

            @Override
            public ObjectNode finalChunk(int index, ChatOutcome outcome) {
                return json.textChunk(id, model, created, index, "", null, outcome.finishReason());
            }

            @Override
            public ObjectNode usageChunk(List<ChatOutcome> outcomes) {
                return json.textUsageChunk(id, model, created, outcomes);
            }

            @Override
            public ObjectNode error(ApiException e, String requestId) {
                return json.error(e, requestId);
            }
        };
    }
}
