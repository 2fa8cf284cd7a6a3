package dev.fovea.gateway;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * The scripts in src/test/node with the official {@code openai} npm client (and ajv) installed beside them in
 * target/node-client; a test using it is skipped when node or npm are missing or the packages cannot be installed.
 */
final class NodeClient {
    record Run(int exit, String output) {
        /** The last line of the output: the script's JSON report. */
        String lastLine() {
            String[] lines = output.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    private NodeClient() {
    }

    /** The working folder with the scripts and node_modules, installing the packages on first use. */
    static Path prepare() throws IOException, InterruptedException {
        Path work = Path.of("target", "node-client").toAbsolutePath();
        Files.createDirectories(work);
        assumeTrue(run(work, 30, "node", "--version").exit() == 0, "node is not installed: skipping the openai client test");
        assumeTrue(run(work, 30, "npm", "--version").exit() == 0, "npm is not installed: skipping the openai client test");
        try (var files = Files.list(Path.of("src", "test", "node"))) {
            for (Path f : files.toList()) {
                Files.copy(f, work.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (!Files.isDirectory(work.resolve("node_modules").resolve("openai"))
                || !Files.isDirectory(work.resolve("node_modules").resolve("ajv"))) {
            Run install = run(work, 300, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error");
            assumeTrue(install.exit() == 0, "npm install of the openai client failed (no registry?): " + install.output());
        }
        return work;
    }

    static Run run(Path dir, long timeoutSeconds, String... command) throws IOException, InterruptedException {
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
}
