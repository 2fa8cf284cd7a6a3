package dev.fovea.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The mistakes a new user makes with downloaded files, on the ShapesWorld model committed in the checkout (so these
 * run on a clone with nothing beside it): each is one line that names the mistake and what to do instead.
 */
class CliMistakesTest {
    private static final String LLM = Path.of("..", "models", "shapesworld", "shapesworld-a.gguf").toString();
    private static final String MMPROJ = Path.of("..", "models", "shapesworld", "shapesworld-a-mmproj.gguf")
            .toString();

    @Test
    void anMmprojGivenAsTheModelSaysToPassItAsMmproj() {
        CliRun.assertClearError(CliRun.run("generate", "-m", MMPROJ, "-p", "hi", "--quiet"),
                "is an mmproj file", "--mmproj");
    }

    @Test
    void anLlmGivenAsTheMmprojSaysSo() {
        CliRun.assertClearError(CliRun.run("generate", "-m", LLM, "--mmproj", LLM, "--image", "x.png", "-p", "hi",
                "--quiet"), "is a language model", "not an mmproj");
    }

    @Test
    void anImageWithoutMmprojIsRefusedBeforeAnyModelLoads() {
        CliRun.Run r = CliRun.run("generate", "-m", LLM, "-p", "hi", "--image", "x.png");
        CliRun.assertClearError(r, "--image needs --mmproj");
        assertThat(r.out() + r.err()).doesNotContain("load");
    }

    @Test
    void aMistypedOptionIsNamedWithTheNearestOne() {
        CliRun.Run r = CliRun.run("generate", "-m", LLM, "-p", "hi", "--max-token", "3");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("'--max-token'").contains("--max-tokens");
    }

    @Test
    void aJsonSchemaConstrainsTheOutputAndAnUnsupportedOneIsNamed() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"color\":{\"enum\":[\"red\",\"blue\",\"green\"]},"
                + "\"n\":{\"type\":\"integer\"}},\"required\":[\"color\",\"n\"],\"additionalProperties\":false}";
        CliRun.Run r = CliRun.run("generate", "-m", LLM, "-p", "What color is the star?", "-n", "60", "--json",
                "--json-schema", schema, "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode out = new ObjectMapper().readTree(r.out());
        assertThat(out.get("finish_reason").asText()).isEqualTo("stop");
        JsonNode value = new ObjectMapper().readTree(out.get("text").asText());
        assertThat(value.get("color").asText()).isIn("red", "blue", "green");
        assertThat(value.get("n").isIntegralNumber()).isTrue();
        assertThat(value.size()).isEqualTo(2);

        CliRun.assertClearError(CliRun.run("generate", "-m", LLM, "-p", "hi", "--json-schema",
                "{\"type\":\"string\",\"pattern\":\"^a\"}", "--quiet"), "unsupported schema keyword pattern");
    }
}
