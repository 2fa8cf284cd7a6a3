package dev.fovea.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** deploy/k8s/base read file by file (no kubectl needed), through every check. */
class BaseManifestsTest {
    private static final Manifests BASE = BaseTree.load(Repo.k8s().resolve("base"));

    @ParameterizedTest
    @EnumSource(Check.class)
    void basePassesCheck(Check check) {
        assertThat(check.run(BASE)).as(check + " on " + BASE.origin()).isEmpty();
    }

    @Test
    void loadsTypedModelsAndCrdsAsGeneric() {
        assertThat(BASE.deployments()).extracting(d -> d.getMetadata().getName()).containsExactlyInAnyOrder(
                "encoder-clip-vit-l-336", "encoder-siglip-so400m-384", "adapter", "llm", "gateway", "job-worker");
        assertThat(BASE.autoscalers()).as("KEDA owns the scaling: an HPA beside a ScaledObject would fight it")
                .isEmpty();
        assertThat(BASE.custom(ScalingChecks.KEDA, "ScaledObject")).extracting(r -> r.getMetadata().getName())
                .containsExactlyInAnyOrder("encoder-clip-vit-l-336", "encoder-siglip-so400m-384", "llm", "job-worker");
        assertThat(BASE.disruptionBudgets()).hasSize(5);
        assertThat(BASE.of(GenericKubernetesResource.class)).extracting(HasMetadata::getKind)
                .containsOnly("ScaledObject", "Kafka", "KafkaNodePool", "KafkaTopic");
    }

    /** A YAML file no kustomization lists would be silently left out of every deployment. */
    @Test
    void everyBaseFileIsListed() throws IOException {
        Set<String> read = new TreeSet<>();
        BaseTree.load(Repo.k8s().resolve("base"), (file, text) -> {
            read.add(file);
            return text;
        });
        Set<String> present = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Repo.k8s().resolve("base"))) {
            files.filter(Files::isRegularFile).forEach(f -> present.add(Repo.k8s().relativize(f).toString()));
        }
        assertThat(read).isEqualTo(present);
    }

    /** The job topics come from the gateway's config once it has them; say when the agreed defaults stood in. */
    @Test
    void jobTopicsSource() {
        JobsSettings jobs = JobsSettings.of(AppConfig.of("gateway"));
        if (!jobs.fromGatewayConfig()) {
            System.out.println("note: gateway application.properties has no fovea.jobs.*-topic keys yet;"
                    + " KafkaTopics were compared with the agreed names " + jobs.topics());
        }
        assertThat(jobs.topics()).doesNotHaveDuplicates().allMatch(t -> t.startsWith("fovea."));
    }
}
