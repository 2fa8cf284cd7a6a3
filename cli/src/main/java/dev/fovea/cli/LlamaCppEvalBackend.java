package dev.fovea.cli;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.template.ChatTemplate;
import dev.fovea.engine.tokenizer.Tokenizer;
import dev.fovea.shapesworld.TestQuestion;
import dev.fovea.shapesworld.TestSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * llama.cpp's own LLaVA path as the reference: {@code llama-llava-cli} of a llama.cpp build, one process per
 * question, greedy. The prompt is the model's chat template rendered as {@link LocalEvalBackend} renders it, with
 * llama.cpp's {@code <image>} placeholder where Fovea puts the image (llava-cli adds the BOS token itself).
 */
final class LlamaCppEvalBackend implements EvalBackend {
    static final String PLACEHOLDER = "<image>";

    private final String model;
    private final Path cli;
    private final Path llm;
    private final Path mmproj;
    private final int maxTokens;
    private final int threads;
    private final long timeoutSeconds;

    LlamaCppEvalBackend(String model, Path cli, Path llm, Path mmproj, int maxTokens, int threads, long timeoutSeconds) {
        if (!Files.isExecutable(cli)) {
            throw new IllegalArgumentException("--llama-cli " + cli + " is not an executable (llama.cpp's "
                    + "llama-llava-cli, e.g. build/bin/llama-llava-cli of a llama.cpp build)");
        }
        this.model = model;
        this.cli = cli;
        this.llm = llm;
        this.mmproj = mmproj;
        this.maxTokens = maxTokens;
        this.threads = threads;
        this.timeoutSeconds = timeoutSeconds;
    }

    @Override
    public String model() {
        return model;
    }

    @Override
    public List<String> answers(TestSet set, ConsoleProgress progress) throws Exception {
        ChatTemplate template;
        try (GgufFile file = GgufFile.open(llm)) {
            template = ChatTemplate.forModel(file, Tokenizer.fromGguf(file));
        }
        List<TestQuestion> questions = set.questions();
        List<String> out = new ArrayList<>();
        progress.update("llama.cpp", 0, questions.size());
        for (TestQuestion q : questions) {
            out.add(ask(set.imageFile(q), prompt(template, q.question())));
            progress.update("llama.cpp", out.size(), questions.size());
        }
        return out;
    }

    /** The rendered one-turn prompt with llava-cli's placeholder for the image and without the leading BOS text. */
    static String prompt(ChatTemplate template, String question) {
        String rendered = template.render(ChatInput.messages(null, 1, question), true);
        String bos = template.bosToken();
        if (bos != null && !bos.isEmpty() && rendered.startsWith(bos)) {
            rendered = rendered.substring(bos.length());
        }
        if (!rendered.contains(ChatTemplate.IMAGE_MARKER)) {
            throw new IllegalStateException("the chat template put no image marker into " + rendered);
        }
        return rendered.replace(ChatTemplate.IMAGE_MARKER, PLACEHOLDER);
    }

    /** The log line llava-cli's CLIP code writes to stdout last, right before the answer. */
    private static final String LAST_LOG_LINE = "encode_image_with_clip:";

    /**
     * The answer in llava-cli's stdout: its CLIP code logs to stdout too (llama's log goes to stderr), and the answer
     * follows the last of those lines, between line breaks.
     */
    static String answerOf(String stdout) {
        int at = stdout.lastIndexOf("\n" + LAST_LOG_LINE);
        if (at < 0 && stdout.startsWith(LAST_LOG_LINE)) {
            at = 0;
        }
        if (at >= 0) {
            int lineEnd = stdout.indexOf('\n', at + 1);
            stdout = lineEnd < 0 ? "" : stdout.substring(lineEnd + 1);
        }
        return stdout.strip();
    }

    private String ask(Path image, String prompt) throws IOException, InterruptedException {
        List<String> command = List.of(cli.toString(), "-m", llm.toString(), "--mmproj", mmproj.toString(),
                "--image", image.toString(), "-p", prompt, "--temp", "0", "-n", Integer.toString(maxTokens),
                "-t", Integer.toString(threads), "-c", "2048");
        // both streams go to files: reading a pipe to its end would wait on a hung process past the timeout
        Path stdout = Files.createTempFile("fovea-llava-cli-", ".out");
        Path stderr = Files.createTempFile("fovea-llava-cli-", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                    .start();
            p.getOutputStream().close();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("llama-llava-cli ran past " + timeoutSeconds + " s on " + image);
            }
            if (p.exitValue() != 0) {
                List<String> log = Files.readAllLines(stderr, StandardCharsets.UTF_8);
                throw new IOException("llama-llava-cli exited with " + p.exitValue() + " on " + image + ": "
                        + String.join("\n", log.subList(Math.max(0, log.size() - 8), log.size())));
            }
            return answerOf(Files.readString(stdout, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }
}
