package dev.fovea.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.engine.Progress;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.llm.KvCache;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.synth.LlmPreset;
import dev.fovea.engine.synth.LlmSynthesizer;
import dev.fovea.engine.synth.MmprojPreset;
import dev.fovea.engine.synth.MmprojSynthesizer;
import dev.fovea.engine.synth.VocabSubset;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.testing.Conformance;
import dev.fovea.engine.testing.GreedyReference;
import dev.fovea.engine.vision.ImageDecoder;
import dev.fovea.testsupport.NeedsConformance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A MiniCPM-V 2.6 pair (a seeded {@code tiny-minicpmv} mmproj and a 3584-wide {@code tiny-minicpmv} LLM with
 * MiniCPM-V's control tokens) generating as llama.cpp b4748's {@code minicpmv-cli} does: the fixture
 * ({@code pipeline/reference/minicpmv26-*.json}, made by {@code tools/reference/minicpmv-generate.cpp}) holds the
 * input positions llama.cpp evaluated (token ids and each encoder input's rows, in order) and its greedy tokens. The
 * single-process engine must lay the image out the same way ({@link VisionModel#embedForPrompt},
 * {@link PromptAssembler#place}) and give the same greedy tokens up to the first near-tie.
 */
@NeedsConformance
class MiniCpmvReferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** minicpmv-cli's user turn for 2.6, before the image and after the prompt. */
    static final String USER = "<|im_start|>user\n";
    static final String ASSISTANT = "<|im_end|><|im_start|>assistant\n";

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"minicpmv26-shapes400x700", "minicpmv26-shapes60x170"})
    void generatesLlamaCppsGreedyTokens(String name) throws Exception {
        JsonNode ref = fixture(name);
        Path llm = synthLlm(ref.get("llm"), dir.resolve("llm.gguf"));
        Path mmproj = synthMmproj(ref.get("mmproj"), dir.resolve("mmproj.gguf"));
        int[] greedy = ints(ref.get("greedy"));
        try (VisionModel vm = VisionModel.open(mmproj, Parallel.shared(), ImageDecoder.DEFAULT_MAX_PIXELS);
             LanguageModel lm = LanguageModel.open(llm, Parallel.shared(), Progress.NONE)) {
            VisionModel.PromptImage image = vm.embedForPrompt(resource(ref.get("image").asText()));
            List<Segment> input = new ArrayList<>();
            input.add(Segment.tokens(lm.tokenizer().encode(USER, true, true)));
            input.addAll(PromptAssembler.place(lm.tokenizer(), image));
            input.add(Segment.tokens(lm.tokenizer().encode(ref.get("prompt").asText() + ASSISTANT, false, true)));
            assertThat(positions(input, image)).as("input positions").isEqualTo(positions(ref.get("segments")));

            var m = lm.decoder();
            int positions = input.stream().mapToInt(Segment::length).sum();
            KvCache cache = m.newCache(positions + greedy.length + 1);
            float[] logits = m.forward(cache, input, false);
            double[] margins = new double[greedy.length];
            for (int i = 0; i < margins.length; i++) {
                margins[i] = ref.get("margins").get(i).asDouble();
            }
            int compared = GreedyReference.compare(m, cache, logits, greedy, margins);
            // the tokens are minicpmv-cli's own: their bytes are what it printed
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            for (int t : greedy) {
                printed.writeBytes(lm.tokenizer().tokenBytes(t));
            }
            assertThat(printed.toByteArray()).as("minicpmv-cli's output")
                    .isEqualTo(Base64.getDecoder().decode(ref.get("minicpmv_cli_output").asText()));
            System.out.printf(Locale.ROOT, "%s: %d input positions as llama.cpp lays them, %d/%d greedy tokens equal"
                    + " (up to the first near-tie)%n", name, positions, compared, greedy.length);
        }
    }

    /** The input as a list of positions: {@code t<id>} per token, {@code i<k>x<rows>} per encoder input. */
    private static List<String> positions(List<Segment> input, VisionModel.PromptImage image) {
        List<String> out = new ArrayList<>();
        for (Segment s : input) {
            if (s instanceof Segment.Tokens t) {
                for (int id : t.ids()) {
                    out.add("t" + id);
                }
            } else {
                int k = image.inputs().indexOf(s);
                out.add("i" + k + "x" + s.length());
            }
        }
        return out;
    }

    private static List<String> positions(JsonNode segments) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : segments) {
            if (s.has("tokens")) {
                s.get("tokens").forEach(id -> out.add("t" + id.asInt()));
            } else {
                out.add("i" + s.get("input").asInt() + "x" + s.get("rows").asInt());
            }
        }
        return out;
    }

    static JsonNode fixture(String name) throws IOException {
        try (InputStream in = MiniCpmvReferenceTest.class.getResourceAsStream("reference/" + name + ".json")) {
            assertThat(in).as("fixture " + name).isNotNull();
            return JSON.readTree(in);
        }
    }

    /** The fixture's LLM, remade from its spec: the preset's random weights over a cut of a conformance vocabulary. */
    static Path synthLlm(JsonNode spec, Path out) throws IOException {
        List<String> controls = new ArrayList<>();
        spec.get("controls").forEach(c -> controls.add(c.asText()));
        try (GgufFile vocab = GgufFile.open(Conformance.file("tokenizer/" + spec.get("vocab").asText()))) {
            var tokenizer = new VocabSubset(spec.get("vocab_size").asInt(), controls, spec.get("pre").asText())
                    .tokenizer(vocab);
            LlmSynthesizer.write(new LlmSynthesizer.Spec(LlmPreset.named(spec.get("preset").asText(), null),
                    type(spec), spec.get("seed").asLong()), tokenizer, out, Parallel.shared(), Progress.NONE);
        }
        return out;
    }

    static Path synthMmproj(JsonNode spec, Path out) throws IOException {
        MmprojSynthesizer.write(new MmprojSynthesizer.Spec(MmprojPreset.named(spec.get("preset").asText()),
                spec.get("projector").asText(), type(spec), spec.get("seed").asLong(), false, 0), out,
                Parallel.shared(), Progress.NONE);
        return out;
    }

    private static GgmlType type(JsonNode spec) {
        return GgmlType.valueOf(spec.get("qtype").asText().toUpperCase(Locale.ROOT));
    }

    /** A file under the engine's test resources ({@code vision/reference/…}). */
    private static byte[] resource(String path) throws IOException {
        try (InputStream in = MiniCpmvReferenceTest.class.getResourceAsStream("/dev/fovea/engine/" + path)) {
            assertThat(in).as(path).isNotNull();
            return in.readAllBytes();
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
