package dev.fovea.gateway;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The official {@code openai} npm client (version pinned in src/test/node/package.json), installed once under
 * target/node-client; the tests that drive it are skipped when node/npm are missing or the package cannot be
 * installed.
 */
final class NodeClient {
    record Run(int exit, String output) {
    }

    private NodeClient() {
    }

    /** The directory with the scripts and the installed client; skips the calling test where that cannot be had. */
    static Path prepare() throws IOException, InterruptedException {
        Path work = Path.of("target", "node-client").toAbsolutePath();
        Files.createDirectories(work);
        assumeTrue(run(work, 30, "node", "--version").exit() == 0, "node is not installed: skipping the openai client test");
        assumeTrue(run(work, 30, "npm", "--version").exit() == 0, "npm is not installed: skipping the openai client test");
        for (String f : List.of("package.json", "chat.mjs", "auth.mjs")) {
            Files.copy(Path.of("src", "test", "node", f), work.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(work.resolve("node_modules").resolve("openai"))) {
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

    /** The last line a script printed (its JSON result). */
    static String lastLine(Run run) {
        String[] lines = run.output().strip().split("\n");
        return lines[lines.length - 1];
    }
}
