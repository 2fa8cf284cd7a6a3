package dev.fovea.manifests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The overlays as users apply them, rendered by {@code kubectl kustomize}; skipped where kubectl is missing. */
class OverlayManifestsTest {
    private static final Map<String, Manifests> RENDERED = new ConcurrentHashMap<>();
    private static final Optional<Path> KUBECTL = Kustomize.kubectl();

    /** The rendered overlay; each test that needs one is reported skipped where kubectl is missing. */
    static Manifests overlay(String name) {
        assumeTrue(KUBECTL.isPresent(), "kubectl is not on the PATH: the rendered overlays are not checked"
                + " (BaseManifestsTest still checks the base files)");
        return RENDERED.computeIfAbsent(name, n -> Kustomize.render(KUBECTL.get(), Repo.k8s().resolve("overlays/" + n)));
    }

    static Stream<Arguments> overlaysAndChecks() {
        return Stream.of("dev", "prod").flatMap(o -> Arrays.stream(Check.values()).map(c -> Arguments.of(o, c)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("overlaysAndChecks")
    void overlayPassesCheck(String overlay, Check check) {
        assertThat(check.run(overlay(overlay))).as(check + " on " + overlay).isEmpty();
    }

    /** An overlay changes sizes and counts, never which resources exist. */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void overlayKeepsTheBaseResources(String overlay) {
        assertThat(ids(overlay(overlay))).isEqualTo(ids(BaseTree.load(Repo.k8s().resolve("base"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void imagesAreTagged(String overlay) {
        String tag = overlay.equals("dev") ? "dev" : "\\d+\\.\\d+\\.\\d+";
        assertThat(Workload.all(overlay(overlay))).allSatisfy(w -> assertThat(w.tag()).as(w.where()).matches(tag));
    }

    @Test
    void devRunsOneOfEach() {
        Manifests dev = overlay("dev");
        assertThat(dev.deployments()).allSatisfy(d -> assertThat(d.getSpec().getReplicas()).as(Manifests.id(d))
                .isIn(null, 1));
        assertThat(dev.autoscalers()).allSatisfy(h -> assertThat(h.getSpec().getMinReplicas()).isLessThanOrEqualTo(1));
        assertThat(dev.custom(ScalingChecks.KEDA, "ScaledObject"))
                .allSatisfy(s -> assertThat(Generic.integer(s, "spec", "minReplicaCount")).isLessThanOrEqualTo(1));
    }

    /** Prod survives a node drain: two or more of everything that serves requests, each under a minAvailable PDB. */
    @Test
    void prodIsRedundant() {
        Manifests prod = overlay("prod");
        for (Deployment d : prod.deployments()) {
            String name = d.getMetadata().getName();
            boolean autoscaled = prod.autoscalers().stream()
                    .anyMatch(h -> h.getSpec().getScaleTargetRef().getName().equals(name))
                    || prod.custom(ScalingChecks.KEDA, "ScaledObject").stream()
                    .anyMatch(so -> name.equals(Generic.string(so, "spec", "scaleTargetRef", "name")));
            if (d.getSpec().getReplicas() != null) {
                assertThat(d.getSpec().getReplicas()).as(Manifests.id(d)).isGreaterThanOrEqualTo(2);
            } else if (!d.getMetadata().getName().equals("job-worker")) {
                assertThat(autoscaled).as(Manifests.id(d) + " has neither replicas nor an autoscaler").isTrue();
            }
            if (!d.getMetadata().getName().equals("job-worker")) {
                assertThat(prod.disruptionBudgets()).as("a PDB over " + Manifests.id(d)).anySatisfy(p ->
                        assertThat(prod.selectedBy(p.getSpec().getSelector().getMatchLabels())).contains(d));
            }
        }
        assertThat(prod.autoscalers()).extracting(h -> h.getSpec().getMinReplicas()).allMatch(n -> n >= 2);
        assertThat(prod.disruptionBudgets()).extracting(PodDisruptionBudget::getSpec)
                .allSatisfy(s -> assertThat(s.getMinAvailable()).isNotNull());
        assertThat(prod.custom(ScalingChecks.KEDA, "ScaledObject")).allSatisfy(s -> assertThat(
                Generic.integer(s, "spec", "minReplicaCount")).as(Manifests.id(s))
                .isGreaterThanOrEqualTo(s.getMetadata().getName().equals("job-worker") ? 1 : 2));
        assertThat(prod.custom(KafkaChecks.STRIMZI, "KafkaNodePool"))
                .allSatisfy(p -> assertThat(Generic.integer(p, "spec", "replicas")).isGreaterThanOrEqualTo(3));
    }

    /**
     * Prod's gateway and job workers (both the gateway image, both serving /v1) take the API keys from the Secret the
     * operator creates: required, never a committed value, under a property the gateway reads.
     */
    @Test
    void prodTakesTheApiKeysFromTheOperatorsSecret() {
        Manifests prod = overlay("prod");
        List<ApiKeyWiring> wirings = gatewayImage(prod);
        assertThat(wirings).extracting(x -> x.workload().deployment().getMetadata().getName())
                .containsExactlyInAnyOrder("gateway", "job-worker");
        for (ApiKeyWiring x : wirings) {
            String where = x.workload().where();
            assertThat(x.keys()).as(where).isPresent();
            assertThat(x.keys().get().getValue()).as(where + ": a literal key").isNull();
            assertThat(x.secret()).as(where).hasValueSatisfying(ref -> {
                assertThat(ref.getName()).isEqualTo(ApiKeyWiring.SECRET);
                assertThat(ref.getKey()).isEqualTo(ApiKeyWiring.SECRET_KEY);
                assertThat(ref.getOptional()).isFalse();
            });
            assertThat(x.required()).as(where + " sets " + ApiKeyWiring.REQUIRED_ENV + "=true").isTrue();
        }
        AppConfig gateway = AppConfig.of("gateway");
        assertThat(gateway.mappedProperties()).containsKeys(ApiKeyWiring.PROPERTY, ApiKeyWiring.REQUIRED_PROPERTY);
        assertThat(gateway.readableEnv()).contains(ApiKeyWiring.ENV, ApiKeyWiring.REQUIRED_ENV);
        assertThat(prod.all()).as("the Secret is the operator's, not the overlay's").noneMatch(r ->
                r.getKind().equals("Secret"));
    }

    /** Dev stays open: no key, no requirement, no Secret to create before it starts. */
    @Test
    void devNeedsNoApiKey() {
        Manifests dev = overlay("dev");
        assertThat(gatewayImage(dev)).isNotEmpty().allSatisfy(x -> {
            assertThat(x.keyed()).as(x.workload().where()).isFalse();
            assertThat(x.required()).as(x.workload().where()).isFalse();
        });
        assertThat(Workload.all(dev)).allSatisfy(w -> assertThat(w.container().getEnv()).as(w.where())
                .noneMatch(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null));
    }

    private static List<ApiKeyWiring> gatewayImage(Manifests m) {
        return Workload.all(m).stream().filter(w -> "gateway".equals(w.module())).map(ApiKeyWiring::of).toList();
    }

    /** kind/name; generated ConfigMaps lose the content hash kustomize appends. */
    private static Set<String> ids(Manifests m) {
        return m.all().stream().map(r -> r.getKind() + "/" + name(r)).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String name(HasMetadata r) {
        String n = r.getMetadata().getName();
        return r.getKind().equals("ConfigMap") ? n.replaceFirst("-[a-z0-9]{10}$", "") : n;
    }
}
