package dev.fovea.gateway;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The official {@code openai} npm client (version pinned in src/test/node/package.json), installed into
 * target/node-client with the scripts of src/test/node. The tests that use it are skipped when node/npm are missing
 * or the package cannot be installed.
 */
final class NodeClient {
    record Run(int exit, String output) {
        /** The last line printed: the scripts' JSON answer. */
        String lastLine() {
            String[] lines = output.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    private NodeClient() {
    }

    /** The folder to run the scripts in, with the client installed; skips the calling test when it cannot be. */
    static Path install() throws IOException, InterruptedException {
        Path work = Path.of("target", "node-client").toAbsolutePath();
        Files.createDirectories(work);
        assumeTrue(run(work, 30, "node", "--version").exit() == 0, "node is not installed: skipping the openai client test");
        assumeTrue(run(work, 30, "npm", "--version").exit() == 0, "npm is not installed: skipping the openai client test");
        try (Stream<Path> sources = Files.list(Path.of("src", "test", "node"))) {
            for (Path f : sources.toList()) {
                Files.copy(f, work.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
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
            p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Run(-1, e.getMessage());
        }
        p.getOutputStream().close();
        // read on its own thread, so a script that hangs is still ended at the timeout
        StringBuilder out = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                out.append("(output unreadable: ").append(e.getMessage()).append(')');
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join(5000);
            return new Run(-2, "timed out: " + out);
        }
        reader.join();
        return new Run(p.exitValue(), out.toString());
    }
}
