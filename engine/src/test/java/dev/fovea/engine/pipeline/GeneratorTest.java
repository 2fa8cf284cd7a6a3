package dev.fovea.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.engine.Progress;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.sampling.SamplerConfig;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.testing.Conformance;
import dev.fovea.testsupport.NeedsConformance;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@NeedsConformance
class GeneratorTest {
    private static LanguageModel lm;

    @BeforeAll
    static void load() throws Exception {
        lm = LanguageModel.open(Conformance.file("models/llama-spm-f32.gguf"), Parallel.create(2), Progress.NONE);
    }

    @AfterAll
    static void close() {
        lm.close();
    }

    private static List<Segment> prompt() {
        return List.of(Segment.tokens(lm.tokenizer().encode("The quick brown fox", true, true)));
    }

    @Test
    void maxTokensEndsWithLengthAndStreamedTextEqualsTheResult() {
        StringBuilder streamed = new StringBuilder();
        GenerationResult r = new Generator(lm).generate(prompt(), GenerationConfig.greedy(12),
                (token, text) -> {
                    streamed.append(text);
                    return true;
                });
        assertThat(r.tokens()).hasSize(12);
        assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(streamed.toString()).isEqualTo(r.text()).isEqualTo(lm.tokenizer().decode(r.tokens()));
    }

    @Test
    void aStopStringCutsTheTextAndIsNeverStreamed() {
        GenerationResult full = new Generator(lm).generate(prompt(), GenerationConfig.greedy(16), TokenListener.NONE);
        String text = full.text();
        // a stop string from the middle of what greedy decoding produces
        String stop = text.substring(text.length() / 2, text.length() / 2 + 3);
        int cut = text.indexOf(stop);
        StringBuilder streamed = new StringBuilder();
        GenerationResult r = new Generator(lm).generate(prompt(),
                new GenerationConfig(16, SamplerConfig.greedy(), List.of(stop), false), (token, piece) -> {
                    streamed.append(piece);
                    return true;
                });
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.text()).isEqualTo(text.substring(0, cut));
        assertThat(streamed.toString()).isEqualTo(r.text()).doesNotContain(stop);
    }

    @Test
    void aListenerThatReturnsFalseCancels() {
        int[] calls = {0};
        GenerationResult r = new Generator(lm).generate(prompt(), GenerationConfig.greedy(20), (t, s) -> ++calls[0] < 3);
        assertThat(r.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(r.tokens()).hasSize(3);
    }
}
