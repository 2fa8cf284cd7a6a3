package dev.fovea.engine.constrain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.engine.Progress;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.FinishReason;
import dev.fovea.engine.pipeline.GenerationConfig;
import dev.fovea.engine.pipeline.GenerationResult;
import dev.fovea.engine.pipeline.Generator;
import dev.fovea.engine.pipeline.LanguageModel;
import dev.fovea.engine.pipeline.TokenListener;
import dev.fovea.engine.sampling.SamplerConfig;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.testing.Conformance;
import dev.fovea.testsupport.NeedsConformance;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Generation under a constraint on real models: whatever the model would rather write, the text is JSON of the
 * schema. The ShapesWorld model (597 tokens, committed in the checkout) and a 32,000-token SentencePiece model.
 */
class ConstrainedGenerationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SHAPESWORLD = Path.of("..", "models", "shapesworld", "shapesworld-a.gguf");
    private static final String SHAPE = """
            {"type":"object","properties":{"shape":{"enum":["circle","square","star"]},
             "count":{"type":"integer"},"colors":{"type":"array","items":{"enum":["red","blue"]},"maxItems":4}},
             "required":["shape","count","colors"],"additionalProperties":false}""";

    @Test
    void sampledOutputsOfTheShapesWorldModelAreValuesOfTheSchema() throws Exception {
        try (LanguageModel lm = LanguageModel.open(SHAPESWORLD, Parallel.create(2), Progress.NONE)) {
            assertEveryOutputIsValid(lm, JsonConstraint.schema(SHAPE), "USER: What shape is it? ASSISTANT:", 8);
            assertEveryOutputIsValid(lm, JsonConstraint.anyObject(), "USER: Describe the image. ASSISTANT:", 4);
        }
    }

    @Test
    @NeedsConformance
    void sampledOutputsOfAThirtyTwoThousandTokenModelAreValuesOfTheSchema() throws Exception {
        try (LanguageModel lm = LanguageModel.open(Conformance.file("models/llama-spm-q8_0.gguf"),
                Parallel.create(2), Progress.NONE)) {
            assertEveryOutputIsValid(lm, JsonConstraint.schema(SHAPE), "Answer in JSON:", 4);
        }
    }

    private static void assertEveryOutputIsValid(LanguageModel lm, JsonConstraint c, String prompt, int seeds)
            throws Exception {
        int stopped = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            GenerationConfig cfg = new GenerationConfig(160, SamplerConfig.defaults(seed).withTemperature(1.2f),
                    List.of(), false, c);
            GenerationResult r = new Generator(lm).generate(
                    List.of(Segment.tokens(lm.tokenizer().encode(prompt, true, true))), cfg, TokenListener.NONE);
            if (r.finishReason() == FinishReason.STOP) {
                stopped++;
                assertThat(c.accepts(r.text())).as("seed %d: %s", seed, r.text()).isTrue();
                JsonNode parsed = JSON.readTree(r.text());
                assertThat(parsed.isObject()).as(r.text()).isTrue();
            } else {
                assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
                assertThat(r.tokens()).hasSize(160);
            }
        }
        assertThat(stopped).as("outputs that ended as a whole value").isPositive();
    }
}
