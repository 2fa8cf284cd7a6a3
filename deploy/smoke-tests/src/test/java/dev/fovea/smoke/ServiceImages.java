package dev.fovea.smoke;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;

/**
 * The four service images under test, built the documented way: deploy/docker/build-images.sh on the modules'
 * existing fast-jars (a reactor build packages them before this module), which builds the base image first when
 * it is missing or stale. Output goes to target/build-images.log.
 */
final class ServiceImages {
    static final String TAG = "smoke";
    static final List<String> MODULES = List.of("encoder-service", "adapter-service", "llm-service", "gateway");

    private ServiceImages() {
    }

    static Path root() {
        return Path.of(System.getProperty("fovea.repo.dir", "../..")).toAbsolutePath().normalize();
    }

    static String image(String module) {
        return "fovea/" + module + ":" + TAG;
    }

    static void build(Duration timeout) throws IOException, InterruptedException {
        for (String module : MODULES) {
            Path jar = root().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("the smoke test packs " + module + "'s fast-jar into an image, but "
                        + jar + " is missing: build it first with `mvn -pl " + module + " -am package -DskipTests` "
                        + "(a reactor build orders the services before this module)");
            }
        }
        Path log = Path.of("target", "build-images.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder("bash", root().resolve("deploy/docker/build-images.sh").toString(),
                "--no-package", TAG).directory(root().toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        // the docker CLI must build on the engine Testcontainers found, which may not be the CLI's default
        pb.environment().put("DOCKER_HOST", DockerClientFactory.instance().getTransportConfig().getDockerHost().toString());
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("build-images.sh took over " + timeout.toSeconds() + " s:\n" + tail(log));
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("build-images.sh failed (exit " + p.exitValue() + "):\n" + tail(log));
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
