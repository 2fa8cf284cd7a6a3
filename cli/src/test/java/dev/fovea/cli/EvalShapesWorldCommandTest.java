package dev.fovea.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.testsupport.NeedsConformance;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code fovea eval shapesworld} end to end in-process on the conformance VLM pair (random-looking answers, so the
 * accuracies are near zero: what is checked is the machinery — folder, progress, JSON, chart, every category).
 */
@NeedsConformance
class EvalShapesWorldCommandTest {
    private static final Path CONFORMANCE = Path.of(System.getProperty("fovea.shared.dir", "../../shared"))
            .resolve("conformance");
    private static final Path LLM = CONFORMANCE.resolve("models/llama-spm-f32.gguf").toAbsolutePath();
    private static final Path MMPROJ = CONFORMANCE.resolve("models/mmproj-mlp-f32.gguf").toAbsolutePath();

    record Run(int exitCode, String out, String err, String progress) {
    }

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(progress, true, StandardCharsets.UTF_8));
            CommandLine cl = FoveaCommand.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(),
                    progress.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void aGeneratedSetRunsLocallyThroughAPipelineFileWithJsonChartAndProgress(@TempDir Path dir) throws Exception {
        Path pipeline = dir.resolve("pipeline.yaml");
        Files.writeString(pipeline, "model: conformance-vlm\nllm: " + LLM + "\nencoders:\n  - name: clip\n    mmproj: "
                + MMPROJ + "\nadapter:\n  id: mlp\n  file: " + MMPROJ + "\n");
        Path dataset = dir.resolve("set");
        Path chart = dir.resolve("accuracy.png");
        Run r = run("eval", "shapesworld", "--n", "6", "--seed", "3", "--model", pipeline.toString(),
                "--dataset", dataset.toString(), "--max-tokens", "2", "--chart", chart.toString(), "--json", "-t", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = Json.mapper().readTree(r.out());
        assertThat(names(json.get("accuracy"))).containsExactly("perception", "counting", "spatial", "math",
                "grounding", "small");
        assertThat(json.get("n").asInt()).isEqualTo(6);
        assertThat(json.get("via").asText()).isEqualTo("local");
        assertThat(json.get("model").asText()).isEqualTo("conformance-vlm");
        assertThat(json.get("overall").asDouble()).isBetween(0.0, 1.0);
        assertThat(json.get("answers")).hasSize(6);
        for (JsonNode a : json.get("answers")) {
            assertThat(a.get("id").asText()).startsWith("q-");
            assertThat(a.get("predicted").isTextual()).isTrue();
            assertThat(a.get("correct").isBoolean()).isTrue();
        }
        assertThat(dataset.resolve("questions.jsonl")).exists();
        BufferedImage png = ImageIO.read(chart.toFile());
        assertThat(png.getWidth()).isGreaterThan(500);
        assertThat(r.progress()).contains("6/6").contains("questions/s").contains("took");
    }

    @Test
    void anExistingForeignFolderIsReadAndEachOfItsCategoriesReported(@TempDir Path dir) throws Exception {
        Path dataset = dir.resolve("foreign");
        Files.createDirectories(dataset);
        Files.copy(CONFORMANCE.resolve("images/shapes56.png"), dataset.resolve("shapes.png"));
        Files.writeString(dataset.resolve("questions.jsonl"), """
                {"id": "a", "image": "shapes.png", "question": "How many shapes?", "answer": "3", "category": "counting"}
                {"id": "b", "image": "shapes.png", "question": "What does it say?", "answer": "nothing", "category": "ocr"}
                """);
        Path answers = dir.resolve("answers.jsonl");
        Run r = run("eval", "shapesworld", "--n", "99", "--llm", LLM.toString(), "--mmproj", MMPROJ.toString(),
                "--dataset", dataset.toString(), "--max-tokens", "1", "--answers", answers.toString(), "--quiet");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("2 questions via local").contains("counting").contains("ocr").contains("overall");
        List<String> lines = Files.readAllLines(answers);
        assertThat(lines).hasSize(2);
        assertThat(Json.mapper().readTree(lines.get(1)).get("category").asText()).isEqualTo("ocr");
        assertThat(r.progress()).doesNotContain("questions/s");
    }

    @Test
    void wrongOptionsAreOneLineEach(@TempDir Path dir) throws Exception {
        assertOneLine(run("eval", "shapesworld", "--via", "pigeon", "--n", "1"),
                "--via must be local, grpc, kafka or llamacpp");
        assertOneLine(run("eval", "shapesworld", "--via", "llamacpp", "--llm", LLM.toString(), "--mmproj",
                MMPROJ.toString(), "--n", "1"), "--via llamacpp needs --llama-cli");
        assertOneLine(run("eval", "shapesworld", "--via", "llamacpp", "--llama-cli", dir.resolve("absent").toString(),
                "--llm", LLM.toString(), "--mmproj", MMPROJ.toString(), "--n", "1"), "is not an executable");
        assertOneLine(run("eval", "shapesworld", "--llama-cli", LLM.toString(), "--n", "1"),
                "--llama-cli applies to --via llamacpp only");
        assertOneLine(run("eval", "shapesworld", "--llm", LLM.toString(), "--n", "1"), "--llm and --mmproj go together");
        assertOneLine(run("eval", "shapesworld", "--via", "grpc", "--llm", LLM.toString(), "--n", "1"),
                "apply to --via local and llamacpp only");
        assertOneLine(run("eval", "shapesworld", "--model", "no-such-model", "--n", "1"), "--model 'no-such-model'");
        assertOneLine(run("eval", "shapesworld", "--llm", LLM.toString(), "--mmproj", MMPROJ.toString(), "--n", "0"),
                "--n must be at least 1");
    }

    @Test
    void aSecondRunIsComparedAnswerByAnswerWithTheFirst(@TempDir Path dir) throws Exception {
        Path dataset = dir.resolve("set");
        Path first = dir.resolve("first.jsonl");
        String[] common = {"eval", "shapesworld", "--n", "4", "--seed", "5", "--llm", LLM.toString(), "--mmproj",
                MMPROJ.toString(), "--dataset", dataset.toString(), "--max-tokens", "2", "-t", "2", "--quiet"};
        Run r = run(concat(common, "--answers", first.toString()));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readAllLines(first)).hasSize(4);

        Run same = run(concat(common, "--same-as", first.toString()));
        assertThat(same.exitCode()).as(same.err()).isZero();
        assertThat(same.progress()).contains("same answers as " + first + ": 4/4");

        // one answer changed in the earlier file: the comparison names it and the run fails
        List<String> lines = new ArrayList<>(Files.readAllLines(first));
        JsonNode changed = Json.mapper().readTree(lines.get(2));
        ((com.fasterxml.jackson.databind.node.ObjectNode) changed).put("predicted", "something else");
        lines.set(2, Json.write(changed));
        Files.write(first, lines);
        Run differs = run(concat(common, "--same-as", first.toString()));
        assertThat(differs.exitCode()).isEqualTo(1);
        assertThat(differs.progress()).contains(": 3/4").contains("differs: " + changed.get("id").asText()
                + ": 'something else'");
    }

    private static String[] concat(String[] head, String... tail) {
        String[] out = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }

    @Test
    void aStackThatIsNotRunningIsNamed(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free again once closed: nothing answers there
        }
        for (String via : new String[] {"grpc", "kafka"}) {
            assertOneLine(run("eval", "shapesworld", "--via", via, "--n", "2", "--gateway", "http://127.0.0.1:" + port,
                    "--quiet"), "no gateway answers at http://127.0.0.1:" + port);
        }
    }

    private static void assertOneLine(Run r, String expected) {
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("fovea: ").contains(expected).doesNotContain("\n");
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
