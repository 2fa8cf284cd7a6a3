package dev.fovea.engine.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.engine.Progress;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.synth.LlmPreset;
import dev.fovea.engine.synth.LlmSynthesizer;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.testing.Conformance;
import dev.fovea.engine.testing.GreedyReference;
import dev.fovea.engine.testing.Similarity;
import dev.fovea.testsupport.NeedsConformance;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LLM architectures checked against the project's own reference fixtures ({@code llm/reference/*.json}, made by
 * {@code tools/reference/llm-reference.mjs} with a newer llama.cpp than the shared fixtures' build): the test remakes
 * the random-weight model with {@code fovea synth}'s code from the fixture's {@code synth} spec (seeded, so the same
 * bytes), then compares the last prompt position's logits (cosine ≥ 0.999) and the greedy tokens up to the first
 * near-tie.
 */
@NeedsConformance
class LlmReferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-phi3-f16", "tiny-phi2-f16", "tiny-llama3-f16"})
    void matchesLlamaCpp(String name) throws Exception {
        JsonNode ref = fixture(name);
        Path model = synth(ref.get("synth"));
        int[] prompt = ints(ref.get("prompt"));
        int[] greedy = ints(ref.get("greedy"));
        double[] margins = new double[greedy.length];
        for (int i = 0; i < margins.length; i++) {
            margins[i] = ref.get("margins").get(i).asDouble();
        }
        ByteBuffer raw = ByteBuffer.wrap(Base64.getDecoder().decode(ref.get("logits").asText()))
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] expected = new float[raw.remaining() / 4];
        raw.asFloatBuffer().get(expected);
        try (GgufFile f = GgufFile.open(model)) {
            DecoderModel m = DecoderModel.load(f, Parallel.shared(), Progress.NONE);
            assertThat(m.config().vocabSize()).isEqualTo(expected.length);
            KvCache cache = m.newCache(prompt.length + greedy.length + 1);
            float[] logits = m.forward(cache, List.of(Segment.tokens(prompt)), false);
            double cos = Similarity.cosine(logits, 0, expected, 0, expected.length);
            assertThat(cos).as("last prompt position's logits, cosine").isGreaterThanOrEqualTo(0.999);
            int compared = GreedyReference.compare(m, cache, logits, greedy, margins);
            System.out.printf(Locale.ROOT, "%s: logits cosine %.7f, %d/%d greedy tokens equal (up to the first "
                    + "near-tie)%n", name, cos, compared, greedy.length);
        }
    }

    private static JsonNode fixture(String name) throws IOException {
        try (InputStream in = LlmReferenceTest.class.getResourceAsStream("reference/" + name + ".json")) {
            assertThat(in).as("fixture " + name).isNotNull();
            return JSON.readTree(in);
        }
    }

    private Path synth(JsonNode spec) throws IOException {
        Path out = dir.resolve("model.gguf");
        LlmPreset preset = LlmPreset.named(spec.get("preset").asText(), null);
        GgmlType type = GgmlType.valueOf(spec.get("qtype").asText().toUpperCase(Locale.ROOT));
        try (GgufFile vocab = GgufFile.open(Conformance.file("tokenizer/" + spec.get("vocab").asText()))) {
            LlmSynthesizer.write(new LlmSynthesizer.Spec(preset, type, spec.get("seed").asLong()), vocab, out,
                    Parallel.shared(), Progress.NONE);
        }
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
