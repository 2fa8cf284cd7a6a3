package dev.fovea.testsupport;

import java.nio.file.Path;

/** Where {@code ../shared} is: the build passes {@code fovea.shared.dir}; a test run from a module folder without it
 * looks two levels up (module, checkout). */
public final class SharedFixtures {
    private SharedFixtures() {
    }

    public static Path sharedDir() {
        String prop = System.getProperty("fovea.shared.dir");
        return (prop != null ? Path.of(prop) : Path.of("..", "..", "shared")).toAbsolutePath().normalize();
    }

    public static Path conformanceDir() {
        return sharedDir().resolve("conformance");
    }
}
