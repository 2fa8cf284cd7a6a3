package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.GenerationResult;
import dev.fovea.engine.pipeline.PromptAssembler;
import dev.fovea.engine.template.ChatMessage;
import dev.fovea.engine.template.ChatTemplate;
import dev.fovea.testsupport.NeedsConformance;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OpenAI HTTP API against a real llm-service: same tokens as the single-process engine, SSE framing. */
@NeedsConformance
@QuarkusTest
@WithTestResource(LlmServiceProcess.class)
class ChatCompletionsTest {
    private static final int MAX_TOKENS = 24;

    static ObjectNode request(String model, int maxTokens) {
        ObjectNode body = GatewayHttp.JSON.createObjectNode();
        body.put("model", model);
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", "You answer briefly.");
        ObjectNode user = messages.addObject().put("role", "user");
        user.putArray("content").addObject().put("type", "text").put("text", "Name three colors of the sky.");
        body.put("temperature", 0);
        body.put("max_tokens", maxTokens);
        body.putObject("fovea").put("token_ids", true);
        return body;
    }

    static List<ChatMessage> engineMessages() {
        return List.of(ChatMessage.text("system", "You answer briefly."),
                ChatMessage.text("user", "Name three colors of the sky."));
    }

    private static List<Integer> ids(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    private static List<Integer> boxed(int[] ids) {
        return Arrays.stream(ids).boxed().toList();
    }

    private static void assertSameAsEngine(JsonNode reply, List<Segment> input, GenerationResult expected) {
        JsonNode choice = reply.get("choices").get(0);
        assertThat(reply.get("object").asText()).isEqualTo("chat.completion");
        assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
        assertThat(ids(choice.get("message").get("fovea").get("token_ids"))).isEqualTo(boxed(expected.tokens()));
        assertThat(choice.get("message").get("content").asText()).isEqualTo(expected.text());
        assertThat(choice.get("finish_reason").asText()).isEqualTo(expected.finishReason().name().toLowerCase());
        JsonNode usage = reply.get("usage");
        assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(EngineReference.positions(input));
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(expected.tokens().length);
        assertThat(usage.get("total_tokens").asInt())
                .isEqualTo(EngineReference.positions(input) + expected.tokens().length);
    }

    @Test
    void greedyTextChatMatchesTheSingleProcessEngine() throws Exception {
        GatewayHttp.Reply r = GatewayHttp.post("/v1/chat/completions", request("llama-q8", MAX_TOKENS).toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");

        var lm = EngineReference.model();
        List<Segment> input = lm.chatInput(engineMessages(), List.of());
        GenerationResult expected = EngineReference.greedy(input, MAX_TOKENS);
        assertThat(expected.tokens()).isNotEmpty();
        assertSameAsEngine(r.json(), input, expected);
    }

    @Test
    void aPipelineTemplateOverrideIsRenderedLikeTheEngineWouldRenderIt() throws Exception {
        GatewayHttp.Reply r = GatewayHttp.post("/v1/chat/completions",
                request("llama-q8-inst", MAX_TOKENS).toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);

        var lm = EngineReference.model();
        var tok = lm.tokenizer();
        String rendered = ChatTemplate.of(LlmServiceProcess.OVERRIDE_TEMPLATE, tok.tokenText(tok.bosId()),
                tok.tokenText(tok.eosId())).render(engineMessages(), true);
        assertThat(rendered).startsWith("[system] You answer briefly.");
        List<Segment> input = PromptAssembler.assemble(tok, rendered, List.of());
        assertThat(EngineReference.positions(input))
                .isNotEqualTo(EngineReference.positions(lm.chatInput(engineMessages(), List.of())));
        assertSameAsEngine(r.json(), input, EngineReference.greedy(input, MAX_TOKENS));
    }

    @Test
    void streamingSendsChunksThatConcatenateToTheSameTextThenDone() throws Exception {
        GatewayHttp.Reply whole = GatewayHttp.post("/v1/chat/completions", request("llama-q8", MAX_TOKENS).toString());
        ObjectNode body = request("llama-q8", MAX_TOKENS);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        GatewayHttp.Reply r = GatewayHttp.post("/v1/chat/completions", body.toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/event-stream");

        List<String> events = r.events();
        assertThat(events.getLast()).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        String finish = null;
        JsonNode usage = null;
        String id = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = GatewayHttp.JSON.readTree(e);
            assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.get("model").asText()).isEqualTo("llama-q8");
            id = id == null ? chunk.get("id").asText() : id;
            assertThat(chunk.get("id").asText()).isEqualTo(id);
            if (chunk.get("choices").isEmpty()) {
                usage = chunk.get("usage");
                continue;
            }
            assertThat(finish).as("no content after the finishing chunk").isNull();
            JsonNode choice = chunk.get("choices").get(0);
            text.append(choice.get("delta").path("content").asText(""));
            if (!choice.get("finish_reason").isNull()) {
                finish = choice.get("finish_reason").asText();
            }
        }
        JsonNode expected = whole.json();
        assertThat(text.toString()).isNotEmpty()
                .isEqualTo(expected.get("choices").get(0).get("message").get("content").asText());
        assertThat(finish).isEqualTo(expected.get("choices").get(0).get("finish_reason").asText());
        assertThat(usage).isEqualTo(expected.get("usage"));
        assertThat(GatewayHttp.JSON.readTree(events.getFirst()).get("choices").get(0).get("delta").get("role").asText())
                .isEqualTo("assistant");
    }

    @Test
    void stopSequencesAndMaxCompletionTokensAreHonoured() throws Exception {
        ObjectNode body = request("llama-q8", MAX_TOKENS);
        body.remove("max_tokens");
        body.put("max_completion_tokens", 3);
        JsonNode r = GatewayHttp.post("/v1/chat/completions", body.toString()).json();
        assertThat(r.get("usage").get("completion_tokens").asInt()).isEqualTo(3);
        assertThat(r.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");

        String full = GatewayHttp.post("/v1/chat/completions", request("llama-q8", MAX_TOKENS).toString()).json()
                .get("choices").get(0).get("message").get("content").asText();
        // a stop string from the middle of the greedy text cuts it there
        String stop = full.substring(full.length() / 2, full.length() / 2 + 2);
        ObjectNode stopped = request("llama-q8", MAX_TOKENS);
        stopped.putArray("stop").add(stop);
        JsonNode s = GatewayHttp.post("/v1/chat/completions", stopped.toString()).json();
        assertThat(s.get("choices").get(0).get("message").get("content").asText())
                .isEqualTo(full.substring(0, full.indexOf(stop)));
        assertThat(s.get("choices").get(0).get("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void seededSamplingIsRepeatable() throws Exception {
        ObjectNode body = request("llama-q8", 12);
        body.put("temperature", 0.9);
        body.put("top_p", 0.95);
        body.put("seed", 1234);
        JsonNode a = GatewayHttp.post("/v1/chat/completions", body.toString()).json();
        JsonNode b = GatewayHttp.post("/v1/chat/completions", body.toString()).json();
        assertThat(a.get("choices").get(0).get("message").get("fovea").get("token_ids"))
                .isEqualTo(b.get("choices").get(0).get("message").get("fovea").get("token_ids"));
    }

    @Test
    void modelsListsThePipelines() throws Exception {
        GatewayHttp.Reply r = GatewayHttp.get("/v1/models");
        assertThat(r.status()).isEqualTo(200);
        JsonNode data = r.json().get("data");
        List<String> ids = new ArrayList<>();
        data.forEach(m -> ids.add(m.get("id").asText()));
        assertThat(ids).containsExactly("llama-q8", "llama-q8-inst", "vlm-offline");
        assertThat(data.get(2).get("fovea").get("encoders").toString()).isEqualTo("[\"clip\",\"siglip\"]");
        assertThat(GatewayHttp.get("/v1/models/vlm-offline").json().get("fovea").get("vision").asBoolean()).isTrue();
        assertThat(GatewayHttp.get("/v1/models/nope").status()).isEqualTo(404);
    }
}
