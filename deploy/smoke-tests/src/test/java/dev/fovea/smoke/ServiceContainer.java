package dev.fovea.smoke;

import com.github.dockerjava.api.model.HealthCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A service container run the way docs/deploy.md shows: host networking (no Docker bridge), the HTTP/gRPC port
 * chosen with QUARKUS_HTTP_PORT and bound to loopback, the models read-only under /models. Ready once Docker
 * reports the image's own HEALTHCHECK healthy; only its interval is shortened here, the probe is the image's.
 */
final class ServiceContainer {
    private ServiceContainer() {
    }

    static GenericContainer<?> create(String module, int port, Path models, Duration startupTimeout) {
        return new GenericContainer<>(DockerImageName.parse(ServiceImages.image(module)))
                .withNetworkMode("host")
                .withEnv("QUARKUS_HTTP_PORT", Integer.toString(port))
                .withEnv("QUARKUS_HTTP_HOST", "127.0.0.1")
                .withFileSystemBind(models.toString(), "/models", BindMode.READ_ONLY)
                // no test command given: Docker keeps the image's HEALTHCHECK command and uses this interval,
                // short for the test but not 1 s, since each probe is a small JVM competing with the services
                .withCreateContainerCmdModifier(cmd -> cmd.withHealthcheck(new HealthCheck()
                        .withInterval(TimeUnit.SECONDS.toNanos(2))
                        .withTimeout(TimeUnit.SECONDS.toNanos(10))
                        .withRetries(3)))
                .waitingFor(Wait.forHealthcheck().withStartupTimeout(startupTimeout));
    }
}
