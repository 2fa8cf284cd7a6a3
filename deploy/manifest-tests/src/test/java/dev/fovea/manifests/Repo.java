package dev.fovea.manifests;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository's files are: the Maven build passes the root; an IDE run falls back to ../.. of the module. */
final class Repo {
    private Repo() {
    }

    static Path root() {
        String configured = System.getProperty("fovea.repo.dir");
        Path root = (configured != null ? Path.of(configured) : Path.of("").toAbsolutePath().resolve("../.."))
                .toAbsolutePath().normalize();
        if (!Files.isDirectory(root.resolve("deploy/k8s"))) {
            throw new IllegalStateException("no deploy/k8s under " + root + " (set -Dfovea.repo.dir)");
        }
        return root;
    }

    static Path k8s() {
        return root().resolve("deploy/k8s");
    }

    static Path module(String name) {
        return root().resolve(name);
    }
}
