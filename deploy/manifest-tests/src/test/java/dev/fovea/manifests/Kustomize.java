package dev.fovea.manifests;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Renders an overlay the way a user applies it: {@code kubectl kustomize DIR} (no cluster involved). */
final class Kustomize {
    private Kustomize() {
    }

    /** kubectl on the PATH, if any; the overlay tests assume it and are skipped without it. */
    static Optional<Path> kubectl() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "kubectl");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    static Manifests render(Path kubectl, Path dir) {
        try {
            Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString()).start();
            // stderr is drained on the side so that a chatty kubectl cannot block on a full pipe
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            String out = readAll(p.getInputStream());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + dir + " did not finish in 120 s");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " failed (" + p.exitValue() + "): " + err.join());
            }
            return new Manifests(Repo.root().relativize(dir).toString(), ManifestLoader.parse(out, dir.toString()));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + kubectl + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static String readAll(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
