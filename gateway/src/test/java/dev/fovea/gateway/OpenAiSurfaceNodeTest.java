package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.GenerationResult;
import dev.fovea.testsupport.NeedsConformance;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rest of the OpenAI surface through the official {@code openai} npm client (src/test/node/surface.mjs):
 * structured outputs validated by ajv (not by the gateway's own matcher), function calling, embeddings, completions,
 * logprobs and n, against the gateway and a real LLM service with the conformance model.
 */
@NeedsConformance
@QuarkusTest
@WithTestResource(LlmServiceProcess.class)
class OpenAiSurfaceNodeTest {

    @Test
    void theOfficialClientUsesTheWholeSurface() throws Exception {
        Path work = NodeClient.prepare();
        NodeClient.Run run = NodeClient.run(work, 900, "node", "surface.mjs", GatewayHttp.base() + "/v1", "llama-q8");
        assertThat(run.exit()).as(run.output()).isEqualTo(0);
        JsonNode r = GatewayHttp.JSON.readTree(run.lastLine());

        for (String schema : List.of("nested", "arrays", "enums")) {
            JsonNode p = r.get("parse").get(schema);
            assertThat(p.get("finish").asText()).as(schema + ": " + p).isEqualTo("stop");
            assertThat(p.get("valid").asBoolean()).as(schema + " valid by ajv: " + p).isTrue();
            assertThat(p.get("streamFinish").asText()).as(schema + ": " + p).isEqualTo("stop");
            assertThat(p.get("streamedValid").asBoolean()).as(schema + " streamed: " + p).isTrue();
            assertThat(p.get("sameAsStreamed").asBoolean()).as(schema + ": same seed, same object: " + p).isTrue();
        }
        JsonNode obj = r.get("jsonObject");
        assertThat(obj.get("finish").asText()).isIn("stop", "length");
        if (obj.get("finish").asText().equals("stop")) {
            assertThat(obj.get("isObject").asBoolean()).isTrue();
        }

        JsonNode tools = r.get("tools");
        assertThat(tools.get("finish").asText()).as(tools.toString()).isEqualTo("tool_calls");
        assertThat(tools.get("content").isNull()).isTrue();
        assertThat(tools.get("name").asText()).isIn("get_weather", "add");
        assertThat(tools.get("id").asText()).startsWith("call_");
        assertThat(tools.get("callValid").asBoolean()).as(tools.toString()).isTrue();
        assertThat(tools.get("namedName").asText()).isEqualTo("add");
        assertThat(tools.get("namedValid").asBoolean()).isTrue();
        assertThat(tools.get("afterResult").get("finish").asText()).isIn("stop", "length", "tool_calls");
        assertThat(tools.get("afterResult").get("usage").get("prompt_tokens").asInt()).isPositive();

        var lm = EngineReference.model();
        JsonNode e = r.get("embeddings");
        assertThat(e.get("count").asInt()).isEqualTo(2);
        for (JsonNode d : e.get("dims")) {
            assertThat(d.asInt()).isEqualTo(lm.decoder().config().embd());
        }
        for (JsonNode n : e.get("norms")) {
            assertThat(n.asDouble()).isCloseTo(1.0, within(1e-4));
        }
        assertThat(e.get("maxDiffBase64VsFloat").asDouble()).isLessThan(1e-6);
        assertThat(e.get("differ").asBoolean()).isTrue();
        assertThat(e.get("usage").get("prompt_tokens").asInt()).isEqualTo(
                lm.tokenizer().encode("The quick brown fox", true, false).length
                        + lm.tokenizer().encode("Hello world", true, false).length);

        JsonNode c = r.get("completions");
        GenerationResult expected = EngineReference.greedy(
                List.of(Segment.tokens(lm.tokenizer().encode("The quick brown fox", true, true))), 8);
        assertThat(c.get("object").asText()).isEqualTo("text_completion");
        assertThat(c.get("text").asText()).isEqualTo(expected.text());
        assertThat(c.get("usage").get("completion_tokens").asInt()).isEqualTo(expected.tokens().length);
        assertThat(c.get("logprobTokens").asInt()).isEqualTo(expected.tokens().length);

        JsonNode lp = r.get("logprobs");
        assertThat(lp.get("tokens").asInt()).isEqualTo(lp.get("completionTokens").asInt()).isPositive();
        assertThat(lp.get("greedyIsTop").asBoolean()).isTrue();

        JsonNode n = r.get("n");
        assertThat(n.get("choices")).hasSize(3);
        assertThat(n.get("usage").get("completion_tokens").asInt()).isPositive();

        JsonNode u = r.get("unsupported");
        assertThat(u.get("status").asInt()).isEqualTo(400);
        assertThat(u.get("message").asText()).contains("format");
    }
}
