package dev.fovea.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.testsupport.NeedsConformance;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code fovea} verbs as outside checks call them, on the conformance fixtures. */
@NeedsConformance
class CliConformanceTest {
    private static final Path CONFORMANCE = Path.of(System.getProperty("fovea.shared.dir", "../../shared"))
            .resolve("conformance");
    private static final String PROMPT = "The quick brown fox jumps over the lazy dog";

    record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            CommandLine cl = FoveaCommand.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Run(code, buf.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(oldOut);
        }
    }

    private static JsonNode expected(String name) throws Exception {
        return Json.mapper().readTree(CONFORMANCE.resolve("expected/" + name + ".json").toFile());
    }

    @Test
    void tokenizeMatchesLlamaCpp() throws Exception {
        Run r = run("tokenize", "--model", CONFORMANCE.resolve("models/qwen2-gpt2-f32.gguf").toString(),
                "--text", PROMPT, "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Json.mapper().readTree(r.out()).get("ids"))
                .isEqualTo(expected("qwen2-gpt2-f32.p0").get("prompt_tokens"));
    }

    @Test
    void generateRawGreedyMatchesLlamaCpp() throws Exception {
        Run r = run("generate", "--model", CONFORMANCE.resolve("models/llama-spm-f32.gguf").toString(),
                "--prompt", PROMPT, "--raw", "--temperature", "0", "-n", "24", "--json", "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode out = Json.mapper().readTree(r.out());
        JsonNode exp = expected("llama-spm-f32.p0");
        assertThat(out.get("prompt_tokens")).isEqualTo(exp.get("prompt_tokens"));
        assertThat(out.get("tokens")).isEqualTo(exp.get("greedy_tokens"));
        assertThat(out.get("timings").get("decode_tokens_per_second").asDouble()).isPositive();
    }

    @Test
    void qwen2VlGeneratesLlamaCppsGreedyTokens() throws Exception {
        Path dir = CONFORMANCE.resolve("qwen2vl");
        JsonNode c = Json.mapper().readTree(dir.resolve("cases.json").toFile()).get("cases").get(0);
        JsonNode exp = Json.mapper().readTree(dir.resolve(c.get("expected").asText() + ".json").toFile());
        String[] pair = {"generate", "--model", dir.resolve(c.get("model").asText()).toString(),
                "--mmproj", dir.resolve(c.get("mmproj").asText()).toString(),
                "--image", dir.resolve(c.get("image").asText()).toString()};
        // exactly the reference's input: prompt, image, suffix
        Run raw = run(concat(pair, "--prompt", c.get("prompt").asText(), "--suffix", c.get("suffix").asText(),
                "--raw", "--temperature", "0", "-n", "24", "--json", "--quiet"));
        assertThat(raw.exitCode()).as(raw.err()).isZero();
        assertThat(Json.mapper().readTree(raw.out()).get("tokens")).isEqualTo(exp.get("greedy_tokens"));
        // through the chat template (ChatML: the file has none), which must wrap the image in the family's
        // <|vision_start|> … <|vision_end|> as the reference's prompt does; the CLI puts a line break after an image
        Run chat = run(concat(pair, "--system", "You are a helpful assistant.", "--prompt", "Describe this image.",
                "--temperature", "0", "-n", "24", "--json", "--quiet"));
        assertThat(chat.exitCode()).as(chat.err()).isZero();
        JsonNode prompt = Json.mapper().readTree(chat.out()).get("prompt_tokens");
        JsonNode reference = exp.get("prompt_tokens");
        for (int i = 0; i < reference.size(); i++) {
            assertThat(prompt.get(i)).as("prompt token %d", i).isEqualTo(reference.get(i));
        }
    }

    /**
     * MiniCPM-V 2.6 as llama.cpp b4748's minicpmv-cli runs it (the engine's fixture {@code minicpmv26-shapes400x700}):
     * the pair made with {@code fovea synth} from the fixture's spec, {@code fovea generate --raw} with minicpmv-cli's
     * turn around the image gives its prompt tokens and greedy tokens; through the chat template the image keeps its
     * {@code <image>}/{@code <slice>} layout.
     */
    @Test
    void miniCpmvGeneratesLlamaCppsGreedyTokens(@TempDir Path dir) throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        JsonNode ref = Json.mapper().readTree(root.resolve("engine/src/test/resources/dev/fovea/engine/pipeline/"
                + "reference/minicpmv26-shapes400x700.json").toFile());
        JsonNode llm = ref.get("llm");
        JsonNode mm = ref.get("mmproj");
        Path model = dir.resolve("llm.gguf");
        Path mmproj = dir.resolve("mmproj.gguf");
        List<String> controls = new ArrayList<>();
        llm.get("controls").forEach(c -> controls.add(c.asText()));
        Run synthLlm = run("synth", "llm", "--preset", llm.get("preset").asText(), "--qtype", llm.get("qtype").asText(),
                "--seed", llm.get("seed").asText(), "--vocab", CONFORMANCE.resolve("tokenizer/"
                        + llm.get("vocab").asText()).toString(), "--vocab-size", llm.get("vocab_size").asText(),
                "--control", String.join(",", controls), "--pre", llm.get("pre").asText(), "-o", model.toString(),
                "--quiet");
        assertThat(synthLlm.exitCode()).as(synthLlm.err()).isZero();
        Run synthMmproj = run("synth", "mmproj", "--preset", mm.get("preset").asText(), "--projector",
                mm.get("projector").asText(), "--qtype", mm.get("qtype").asText(), "--seed", mm.get("seed").asText(),
                "-o", mmproj.toString(), "--quiet");
        assertThat(synthMmproj.exitCode()).as(synthMmproj.err()).isZero();
        String[] pair = {"generate", "--model", model.toString(), "--mmproj", mmproj.toString(), "--image",
                root.resolve("engine/src/test/resources/dev/fovea/engine/" + ref.get("image").asText()).toString()};

        Run raw = run(concat(pair, "--prompt", "<|im_start|>user\n", "--suffix", ref.get("prompt").asText()
                + "<|im_end|><|im_start|>assistant\n", "--raw", "--temperature", "0", "-n", "16", "--json", "--quiet"));
        assertThat(raw.exitCode()).as(raw.err()).isZero();
        JsonNode out = Json.mapper().readTree(raw.out());
        List<Integer> referenceTokens = new ArrayList<>();
        ref.get("segments").forEach(seg -> seg.path("tokens").forEach(id -> referenceTokens.add(id.asInt())));
        List<Integer> promptTokens = new ArrayList<>();
        out.get("prompt_tokens").forEach(id -> promptTokens.add(id.asInt()));
        assertThat(promptTokens).as("prompt tokens (image rows left out)").isEqualTo(referenceTokens);
        int compared = 0;
        for (int step = 0; step < ref.get("greedy").size() && ref.get("margins").get(step).asDouble() >= 1e-3; step++) {
            assertThat(out.get("tokens").get(step)).as("greedy step %d", step).isEqualTo(ref.get("greedy").get(step));
            compared++;
        }
        assertThat(compared).isPositive();

        // the chat path: ChatML around the same layout (source view, then the column of two slices)
        Run chat = run(concat(pair, "--prompt", ref.get("prompt").asText(), "--temperature", "0", "-n", "4", "--json",
                "--quiet"));
        assertThat(chat.exitCode()).as(chat.err()).isZero();
        List<Integer> chatTokens = new ArrayList<>();
        Json.mapper().readTree(chat.out()).get("prompt_tokens").forEach(id -> chatTokens.add(id.asInt()));
        // <image> </image> <slice> <image> </image> \n <image> </image> \n </slice>, as the reference has them
        List<Integer> layout = referenceTokens.subList(4, 14);
        assertThat(java.util.Collections.indexOfSubList(chatTokens, layout)).as("%s in %s", layout, chatTokens)
                .isPositive();
        System.out.printf("fovea generate, MiniCPM-V 2.6: %d prompt tokens and %d/%d greedy tokens equal to "
                + "llama.cpp b4748's%n", promptTokens.size(), compared, ref.get("greedy").size());
    }

    private static String[] concat(String[] head, String... tail) {
        String[] out = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }

    @Test
    void benchBatchReportsTheMedianOfItsRounds() throws Exception {
        Run r = run("bench", "batch", "--model", CONFORMANCE.resolve("models/llama-spm-f32.gguf").toString(),
                "--streams", "1,2", "-p", "4", "-n", "4", "--rounds", "3", "--json", "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode out = Json.mapper().readTree(r.out());
        assertThat(out.get("rounds").asInt()).isEqualTo(3);
        for (String key : new String[] {"streams_1", "streams_2"}) {
            JsonNode rounds = out.get(key).get("decode_tokens_per_second_rounds");
            assertThat(rounds).hasSize(3);
            double[] v = {rounds.get(0).asDouble(), rounds.get(1).asDouble(), rounds.get(2).asDouble()};
            java.util.Arrays.sort(v);
            assertThat(v[0]).isPositive();
            assertThat(out.get(key).get("decode_tokens_per_second").asDouble()).isEqualTo(v[1]);
        }
        assertThat(out.get("streams_2").get("decode_speedup_vs_first").asDouble()).isEqualTo(
                out.get("streams_2").get("decode_tokens_per_second").asDouble()
                        / out.get("streams_1").get("decode_tokens_per_second").asDouble());
        assertThat(run("bench", "batch", "--model", CONFORMANCE.resolve("models/llama-spm-f32.gguf").toString(),
                "--rounds", "0").exitCode()).isNotZero();
    }

    @Test
    void benchLlmTakesSeveralPromptLengths() throws Exception {
        Run r = run("bench", "llm", "--model", CONFORMANCE.resolve("models/llama-spm-f32.gguf").toString(),
                "-p", "4,8", "-n", "2", "-r", "1", "--json", "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode out = Json.mapper().readTree(r.out());
        assertThat(out.get("pp4").get("tokens_per_second").asDouble()).isPositive();
        assertThat(out.get("pp8").get("tokens_per_second").asDouble()).isPositive();
        assertThat(out.get("tg2").get("tokens_per_second").asDouble()).isPositive();
        assertThat(run("bench", "llm", "--model", CONFORMANCE.resolve("models/llama-spm-f32.gguf").toString(),
                "-p", "4,-8", "--quiet").exitCode()).isNotZero();
    }

    @Test
    void benchVlmTimesAWholeImageRequest() throws Exception {
        Run r = run("bench", "vlm", "--model", CONFORMANCE.resolve("models/llama-spm-f32.gguf").toString(),
                "--mmproj", CONFORMANCE.resolve("models/mmproj-mlp-f32.gguf").toString(), "-n", "3", "-r", "1",
                "--json", "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode out = Json.mapper().readTree(r.out());
        // the fixture pair: 16 image positions (56 px, patch 14) between the chat text's tokens
        assertThat(out.get("image_positions").asInt()).isEqualTo(16);
        assertThat(out.get("prompt_positions").asInt()).isGreaterThan(16);
        double encode = out.get("encode_ms").asDouble();
        double prefill = out.get("prefill_ms").asDouble();
        assertThat(encode).isPositive();
        assertThat(prefill).isPositive();
        assertThat(out.get("time_to_first_token_ms").asDouble()).isCloseTo(encode + prefill,
                org.assertj.core.data.Offset.offset(1e-6 * (encode + prefill)));
        assertThat(out.get("tokens_per_second").asDouble()).isPositive();
        assertThat(run("bench", "vlm", "--model", CONFORMANCE.resolve("models/llama-spm-f32.gguf").toString(),
                "--mmproj", CONFORMANCE.resolve("models/mmproj-mlp-f32.gguf").toString(), "-n", "0").exitCode())
                .isNotZero();
    }

    @Test
    void logitsWritesTheFixtureFormat(@TempDir Path dir) throws Exception {
        Path prefix = dir.resolve("out/p0");
        Run r = run("logits", "--model", CONFORMANCE.resolve("models/llama-spm-f32.gguf").toString(),
                "--prompt", PROMPT, "--out", prefix.toString(), "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode exp = expected("llama-spm-f32.p0");
        assertThat(Json.mapper().readTree(Path.of(prefix + ".json").toFile()).get("prompt_tokens"))
                .isEqualTo(exp.get("prompt_tokens"));
        float[] ours = floats(Path.of(prefix + ".last_logits.f32"));
        float[] ref = floats(CONFORMANCE.resolve("expected/llama-spm-f32.p0.last_logits.f32"));
        assertThat(ours).hasSameSizeAs(ref);
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < ref.length; i++) {
            dot += ours[i] * ref[i];
            na += ours[i] * ours[i];
            nb += ref[i] * ref[i];
        }
        assertThat(dot / Math.sqrt(na * nb)).isGreaterThan(0.9999);
        assertThat(Files.size(Path.of(prefix + ".prompt_logits.f32")))
                .isEqualTo(4L * exp.get("prompt_tokens").size() * exp.get("n_vocab").asInt());
    }

    @Test
    void badInputIsOneClearLine() {
        Run r = run("generate", "--model", "/nonexistent.gguf", "--prompt", "x", "--quiet");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("no such file").contains("/nonexistent.gguf");
    }

    private static float[] floats(Path p) throws Exception {
        byte[] b = Files.readAllBytes(p);
        float[] f = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }
}
