package dev.fovea.manifests;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** One rendered set of resources (a base or an overlay), with look-ups by kind and name. */
record Manifests(String origin, List<HasMetadata> all) {
    Manifests {
        all = List.copyOf(all);
    }

    <T extends HasMetadata> List<T> of(Class<T> type) {
        return all.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<Deployment> deployments() {
        return of(Deployment.class);
    }

    List<Service> services() {
        return of(Service.class);
    }

    List<HorizontalPodAutoscaler> autoscalers() {
        return of(HorizontalPodAutoscaler.class);
    }

    List<PodDisruptionBudget> disruptionBudgets() {
        return of(PodDisruptionBudget.class);
    }

    /** Resources of a kind the fabric8 model does not know (the CRDs), by apiVersion and kind. */
    List<GenericKubernetesResource> custom(String apiVersion, String kind) {
        return of(GenericKubernetesResource.class).stream()
                .filter(r -> apiVersion.equals(r.getApiVersion()) && kind.equals(r.getKind())).toList();
    }

    Optional<Deployment> deployment(String name) {
        return named(deployments(), name);
    }

    Optional<ConfigMap> configMap(String name) {
        return named(of(ConfigMap.class), name);
    }

    Optional<Service> service(String name, String namespace) {
        return services().stream().filter(s -> s.getMetadata().getName().equals(name)
                && Objects.equals(namespaceOf(s), namespace)).findFirst();
    }

    /** The Deployments whose pod labels carry every label of {@code selector}. */
    List<Deployment> selectedBy(Map<String, String> selector) {
        if (selector == null || selector.isEmpty()) {
            return List.of();
        }
        return deployments().stream().filter(d -> {
            Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
            return labels != null && labels.entrySet().containsAll(selector.entrySet());
        }).toList();
    }

    static String namespaceOf(HasMetadata r) {
        return r.getMetadata().getNamespace();
    }

    static String id(HasMetadata r) {
        return r.getKind() + "/" + r.getMetadata().getName();
    }

    private static <T extends HasMetadata> Optional<T> named(List<T> list, String name) {
        return list.stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst();
    }
}
