package dev.fovea.engine.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the conformance fixtures ({@code ../shared/conformance} beside the checkout). */
public final class Conformance {
    private Conformance() {
    }

    public static Path dir() {
        String prop = System.getProperty("fovea.shared.dir");
        Path shared = prop != null ? Path.of(prop) : Path.of("..", "..", "shared");
        Path dir = shared.resolve("conformance").toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("conformance fixtures not found at " + dir);
        }
        return dir;
    }

    public static Path file(String relative) {
        return dir().resolve(relative);
    }
}
