package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;

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
 * The official {@code openai} npm client (version pinned in src/test/node/package.json) against the running gateway:
 * a plain and a streamed completion, and an error ({@link NodeClient}: skipped without node/npm). The client's batch
 * API is tested by BatchesIT, which needs a broker.
 */
@NeedsConformance
@QuarkusTest
@WithTestResource(LlmServiceProcess.class)
class OpenAiNodeClientTest {
    @Test
    void theOfficialClientChatsAndStreams() throws Exception {
        Path work = NodeClient.install();
        NodeClient.Run chat = NodeClient.run(work, 300, "node", "chat.mjs", GatewayHttp.base() + "/v1", "llama-q8");
        assertThat(chat.exit()).as(chat.output()).isEqualTo(0);
        JsonNode r = GatewayHttp.JSON.readTree(chat.lastLine());

        var lm = EngineReference.model();
        List<Segment> input = lm.chatInput(ChatCompletionsTest.engineMessages(), List.of());
        GenerationResult expected = EngineReference.greedy(input, 24);
        String finish = expected.finishReason().name().toLowerCase();

        assertThat(r.get("whole").get("object").asText()).isEqualTo("chat.completion");
        assertThat(r.get("whole").get("content").asText()).isEqualTo(expected.text());
        assertThat(r.get("whole").get("finish_reason").asText()).isEqualTo(finish);
        assertThat(r.get("whole").get("usage").get("completion_tokens").asInt()).isEqualTo(expected.tokens().length);
        assertThat(r.get("whole").get("usage").get("prompt_tokens").asInt()).isEqualTo(EngineReference.positions(input));

        assertThat(r.get("stream").get("content").asText()).isEqualTo(expected.text());
        assertThat(r.get("stream").get("finish_reason").asText()).isEqualTo(finish);
        assertThat(r.get("stream").get("usage")).isEqualTo(r.get("whole").get("usage"));
        assertThat(r.get("stream").get("chunks").asInt()).isGreaterThan(2);

        assertThat(r.get("error").get("status").asInt()).isEqualTo(404);
        assertThat(r.get("error").get("code").asText()).isEqualTo("model_not_found");
    }
}
