package dev.fovea.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.testsupport.NeedsConformance;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The CLI under arguments made to exhaust it: each must end with exit code 2 and one clear line naming the flag
 * or limit, in bounded time, without a stack trace.
 */
@NeedsConformance
class HostileCliTest {
    private static final Path CONFORMANCE = Path.of(System.getProperty("fovea.shared.dir", "../../shared"))
            .resolve("conformance");
    private static final String MODEL = CONFORMANCE.resolve("models/llama-spm-f32.gguf").toString();
    private static final long TEN_SECONDS = TimeUnit.SECONDS.toNanos(10);

    private static CliRun.Run run(String... args) {
        return CliRun.run(args);
    }

    private static void assertClearError(CliRun.Run r, String... expected) {
        CliRun.assertClearError(r, expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1000000000", "2147483647", "2048"})
    void aTokenLimitPastTheContextIsRefusedBeforeTheModelLoads(String n) {
        CliRun.Run r = run("generate", "--model", MODEL, "--prompt", "Hello", "--raw", "-n", n, "--quiet");
        assertClearError(r, "-n/--max-tokens " + n, "plus a prompt", "context of 2048 positions");
        assertThat(r.nanos()).isLessThan(TEN_SECONDS);
    }

    @Test
    void aNegativeTokenLimitIsRefused() {
        assertClearError(run("generate", "--model", MODEL, "--prompt", "Hello", "--raw", "-n", "-5", "--quiet"),
                "-n/--max-tokens must be ≥ 0");
    }

    @Test
    void aTokenLimitThatFitsAloneButNotWithThePromptNamesBoth() {
        CliRun.Run r = run("generate", "--model", MODEL, "--prompt", "The quick brown fox", "--raw", "-n", "2046",
                "--quiet");
        assertClearError(r, "max_tokens 2046 plus the input's", "context of 2048 positions");
    }

    @ParameterizedTest
    @ValueSource(strings = {"100000", "0", "-3"})
    void threadCountsOutsideTheCoresAreRefusedBeforeAnyThreadStarts(String threads) {
        int before = Thread.activeCount();
        CliRun.Run r = run("generate", "--model", MODEL, "--prompt", "Hello", "--raw", "-n", "2", "--quiet",
                "--threads", threads);
        assertClearError(r, "--threads must be between 1 and", "cores", threads);
        assertThat(Thread.activeCount()).isLessThan(before + 16);
    }

    @Test
    void aPromptPastTheContextIsRefusedInsteadOfComputed() {
        // ~120 KB: on this 2048-token model it once ran 20,002 positions of garbage
        String prompt = "hello world ".repeat(10_000);
        CliRun.Run gen = run("generate", "--model", MODEL, "--prompt", prompt, "--raw", "-n", "4", "--quiet");
        assertClearError(gen, "exceed the model's context of 2048");
        CliRun.Run chat = run("generate", "--model", MODEL, "--prompt", prompt, "-n", "4", "--quiet");
        assertClearError(chat, "exceed the model's context of 2048");
        CliRun.Run logits = run("logits", "--model", MODEL, "--prompt", prompt, "--out", "/tmp/never-written", "--quiet");
        assertClearError(logits, "exceed the model's context of 2048");
    }

    @Test
    void benchCountsPastTheContextAreRefused() {
        assertClearError(run("bench", "llm", "--model", MODEL, "-p", "1000000000", "-n", "1", "--quiet"),
                "-p/--n-prompt 1000000000", "context of 2048");
        assertClearError(run("bench", "llm", "--model", MODEL, "-p", "8", "-n", "2147483647", "--quiet"),
                "-n/--n-gen 2147483647", "context of 2048");
    }

    @Test
    void benchBatchCountsAreBoundedBeforeTheModelLoads() {
        assertClearError(run("bench", "batch", "--model", MODEL, "--streams", "1,100000", "--quiet"),
                "--streams must each be between 1 and 1024", "100000");
        assertClearError(run("bench", "batch", "--model", MODEL, "-p", "2000", "-n", "100", "--quiet"),
                "-n/--n-gen 100 plus the 2000 prompt positions", "context of 2048");
    }

    @Test
    void aDirectoryAsTheModelSaysItIsADirectory(@TempDir Path dir) {
        assertClearError(run("generate", "--model", dir.toString(), "--prompt", "Hello", "--quiet"),
                dir + " is a directory");
    }

    @Test
    void imagesThatCannotBeUsedAreOneLineNamingTheProblem(@TempDir Path dir) throws Exception {
        String mmproj = CONFORMANCE.resolve("models/mmproj-mlp-f32.gguf").toString();
        assertClearError(run("embed-image", "--mmproj", mmproj, "--image", dir.toString(), "--quiet"),
                dir + " is a directory");
        // 50000 × 1: preprocessing once padded it to a 50000² square in int arithmetic ("fovea: -741294080")
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(50_000, 1,
                java.awt.image.BufferedImage.TYPE_INT_RGB), "png", png);
        Path wide = dir.resolve("wide.png");
        Files.write(wide, png.toByteArray());
        assertClearError(run("embed-image", "--mmproj", mmproj, "--image", wide.toString(), "--quiet"),
                "50000×1", "aspect ratio", "200:1");
        assertClearError(run("generate", "--model", MODEL, "--mmproj", mmproj, "--image", wide.toString(),
                "--prompt", "What is this?", "-n", "4", "--quiet"), "50000×1", "200:1");
    }

    @Test
    void aMissingModelSaysSo(@TempDir Path dir) {
        Path missing = dir.resolve("nope.gguf");
        assertClearError(run("generate", "--model", missing.toString(), "--prompt", "Hello", "--quiet"),
                "no such file", missing.toString());
    }

    @Test
    void brokenModelFilesAreOneLineNamingTheFile(@TempDir Path dir) throws Exception {
        byte[] whole = Files.readAllBytes(Path.of(MODEL));
        // cut inside the magic, the counts, the metadata, the tensor infos and the tensor data
        for (int cut : new int[] {3, 20, 100, 5_000, 200_000, whole.length / 2, whole.length - 1}) {
            Path broken = dir.resolve("cut-" + cut + ".gguf");
            Files.write(broken, Arrays.copyOf(whole, cut));
            CliRun.Run r = run("generate", "--model", broken.toString(), "--prompt", "Hello", "--raw", "-n", "2", "--quiet");
            assertClearError(r, broken.toString());
            assertThat(r.nanos()).isLessThan(TEN_SECONDS);
        }
    }

    @Test
    void anErrorAfterAProgressBarStartsOnItsOwnLine() {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            new ConsoleProgress(true).update("loading", 3, 10); // a bar left mid-line, as when loading fails
            CommandLine cl = FoveaCommand.commandLine();
            cl.setErr(new PrintWriter(System.err, true));
            assertThat(cl.execute("generate", "--model", MODEL, "--prompt", "x", "-n", "-1")).isEqualTo(2);
        } finally {
            System.setErr(oldErr);
        }
        String text = stderr.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("\nfovea: -n/--max-tokens must be ≥ 0");
        assertThat(text.lines().filter(l -> l.contains("fovea:")).findFirst().orElseThrow()).startsWith("fovea:");
    }
}
