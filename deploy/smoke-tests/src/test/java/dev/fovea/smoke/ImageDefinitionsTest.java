package dev.fovea.smoke;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The image definitions agree with the modules they package, checked without Docker: every service has an image
 * with its own HTTP port, the entrypoint carries the project's JVM flags, and the image user is the base's
 * non-root user (the one the Kubernetes manifests run as).
 */
class ImageDefinitionsTest {
    private static final Path DOCKER = ServiceImages.root().resolve("deploy/docker");

    private static String read(Path p) throws IOException {
        return Files.readString(p);
    }

    /** build-images.sh's table: module → port. */
    private static Map<String, Integer> scriptPorts() throws IOException {
        Matcher table = Pattern.compile("(?m)^services=\\(([^)]*)\\)").matcher(read(DOCKER.resolve("build-images.sh")));
        assertThat(table.find()).as("services=(...) in build-images.sh").isTrue();
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String entry : table.group(1).trim().split("\\s+")) {
            String[] kv = entry.split(":");
            out.put(kv[0], Integer.parseInt(kv[1]));
        }
        return out;
    }

    @Test
    void everyServiceIsBuiltWithItsOwnHttpPort() throws IOException {
        Map<String, Integer> ports = scriptPorts();
        assertThat(ports.keySet()).containsExactlyInAnyOrderElementsOf(ServiceImages.MODULES);
        for (var e : ports.entrySet()) {
            Properties props = new Properties();
            try (Reader r = Files.newBufferedReader(ServiceImages.root().resolve(e.getKey())
                    .resolve("src/main/resources/application.properties"))) {
                props.load(r);
            }
            assertThat(Integer.parseInt(props.getProperty("quarkus.http.port"))).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void theEntrypointCarriesTheProjectsJvmFlags() throws IOException {
        Matcher flags = Pattern.compile("<fovea\\.jvm\\.flags>([^<]*)</fovea\\.jvm\\.flags>")
                .matcher(read(ServiceImages.root().resolve("pom.xml")));
        assertThat(flags.find()).isTrue();
        Matcher entrypoint = Pattern.compile("(?s)\\nENTRYPOINT \\[(.*?)]").matcher(read(DOCKER.resolve("service.Dockerfile")));
        assertThat(entrypoint.find()).as("ENTRYPOINT in service.Dockerfile").isTrue();
        String args = entrypoint.group(1).replaceAll("\\\\\\n", " ");
        for (String flag : flags.group(1).trim().split("\\s+")) {
            assertThat(args).contains("\"" + flag + "\"");
        }
        assertThat(args).contains("\"/deployments/quarkus-run.jar\"");
    }

    @Test
    void theImagesRunAsTheBasesNonRootUserAndProbeLiveness() throws IOException {
        Matcher uid = Pattern.compile("(?m)^uid=(\\d+)$").matcher(read(DOCKER.resolve("build-base.sh")));
        assertThat(uid.find()).isTrue();
        assertThat(Integer.parseInt(uid.group(1))).isPositive();
        String dockerfile = read(DOCKER.resolve("service.Dockerfile"));
        assertThat(dockerfile).contains("\nUSER " + uid.group(1) + ":" + uid.group(1) + "\n")
                .contains("\nHEALTHCHECK ").contains("\"HealthProbe\"").contains("\nVOLUME [\"/models\"]\n");
        assertThat(read(DOCKER.resolve("HealthProbe.java"))).contains("/q/health/live");
    }
}
