package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.GenerationResult;
import dev.fovea.testsupport.NeedsConformance;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The official {@code openai} npm client (version pinned in src/test/node/package.json) against the running gateway:
 * a plain and a streamed completion, and an error. Skipped when node/npm are missing or the package cannot be
 * installed.
 */
@NeedsConformance
@QuarkusTest
@WithTestResource(LlmServiceProcess.class)
class OpenAiNodeClientTest {
    private record Run(int exit, String output) {
    }

    private static Run run(Path dir, long timeoutSeconds, String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Run(-1, e.getMessage());
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Run(-2, "timed out: " + new String(out, StandardCharsets.UTF_8));
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void theOfficialClientChatsAndStreams() throws Exception {
        Path work = Path.of("target", "node-client").toAbsolutePath();
        Files.createDirectories(work);
        assumeTrue(run(work, 30, "node", "--version").exit() == 0, "node is not installed: skipping the openai client test");
        assumeTrue(run(work, 30, "npm", "--version").exit() == 0, "npm is not installed: skipping the openai client test");
        for (String f : List.of("package.json", "chat.mjs")) {
            Files.copy(Path.of("src", "test", "node", f), work.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(work.resolve("node_modules").resolve("openai"))) {
            Run install = run(work, 300, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error");
            assumeTrue(install.exit() == 0, "npm install of the openai client failed (no registry?): " + install.output());
        }

        Run chat = run(work, 300, "node", "chat.mjs", GatewayHttp.base() + "/v1", "llama-q8");
        assertThat(chat.exit()).as(chat.output()).isEqualTo(0);
        String[] lines = chat.output().strip().split("\n");
        JsonNode r = GatewayHttp.JSON.readTree(lines[lines.length - 1]);

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
