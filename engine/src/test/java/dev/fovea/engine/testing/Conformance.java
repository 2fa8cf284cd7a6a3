package dev.fovea.engine.testing;

import dev.fovea.testsupport.SharedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the conformance fixtures ({@code ../shared/conformance} beside the checkout). Tests that use it carry
 * {@link dev.fovea.testsupport.NeedsConformance}, so a checkout without the folder skips them.
 */
public final class Conformance {
    private Conformance() {
    }

    public static Path dir() {
        Path dir = SharedFixtures.conformanceDir();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("conformance fixtures not found at " + dir);
        }
        return dir;
    }

    public static Path file(String relative) {
        return dir().resolve(relative);
    }
}
