package dev.fovea.manifests;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** HPAs, KEDA ScaledObjects and PodDisruptionBudgets point at existing Deployments and agree with each other. */
final class ScalingChecks {
    static final String KEDA = "keda.sh/v1alpha1";

    private ScalingChecks() {
    }

    static List<String> check(Manifests m) {
        List<String> problems = new ArrayList<>();
        Map<String, String> scaledBy = new HashMap<>();
        Map<String, Integer> minReplicas = new HashMap<>();
        for (HorizontalPodAutoscaler h : m.autoscalers()) {
            String where = Manifests.id(h);
            var ref = h.getSpec().getScaleTargetRef();
            if (!"Deployment".equals(ref.getKind()) || !"apps/v1".equals(ref.getApiVersion())
                    || m.deployment(ref.getName()).isEmpty()) {
                problems.add(where + ": targets " + ref.getKind() + "/" + ref.getName() + ", not a Deployment here");
                continue;
            }
            int min = h.getSpec().getMinReplicas() == null ? 1 : h.getSpec().getMinReplicas();
            if (min < 1 || min > h.getSpec().getMaxReplicas()) {
                problems.add(where + ": minReplicas " + min + " outside 1.." + h.getSpec().getMaxReplicas());
            }
            boolean cpu = Workload.list(h.getSpec().getMetrics()).stream().map(MetricSpec::getResource)
                    .anyMatch(r -> r != null && "cpu".equals(r.getName()));
            if (!cpu) {
                problems.add(where + ": scales on no CPU metric");
            }
            claim(problems, scaledBy, ref.getName(), where);
            minReplicas.put(ref.getName(), min);
        }
        for (GenericKubernetesResource so : m.custom(KEDA, "ScaledObject")) {
            String where = Manifests.id(so);
            String target = Generic.string(so, "spec", "scaleTargetRef", "name");
            String kind = Generic.string(so, "spec", "scaleTargetRef", "kind");
            if ((kind != null && !kind.equals("Deployment")) || target == null || m.deployment(target).isEmpty()) {
                problems.add(where + ": targets " + target + ", not a Deployment here");
                continue;
            }
            Integer min = Generic.integer(so, "spec", "minReplicaCount");
            Integer max = Generic.integer(so, "spec", "maxReplicaCount");
            int lo = min == null ? 0 : min;
            int hi = max == null ? 100 : max; // KEDA's defaults
            if (lo < 0 || lo > hi) {
                problems.add(where + ": minReplicaCount " + lo + " outside 0.." + hi);
            }
            claim(problems, scaledBy, target, where);
            minReplicas.put(target, lo);
        }
        for (Deployment d : m.deployments()) {
            String name = d.getMetadata().getName();
            if (scaledBy.containsKey(name) && d.getSpec().getReplicas() != null) {
                // kubectl apply would reset the count the autoscaler chose on every deploy
                problems.add(Manifests.id(d) + ": scaled by " + scaledBy.get(name) + " but sets spec.replicas");
            }
            if ("encoder-service".equals(ServiceChecks.module(m, d)) && !scaledBy.getOrDefault(name, "")
                    .startsWith("ScaledObject/")) {
                problems.add(Manifests.id(d) + ": every encoder Deployment has its KEDA ScaledObject");
            }
            if (!scaledBy.containsKey(name)) {
                minReplicas.put(name, d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas());
            }
        }
        for (PodDisruptionBudget pdb : m.disruptionBudgets()) {
            String where = Manifests.id(pdb);
            List<Deployment> selected = m.selectedBy(pdb.getSpec().getSelector() == null ? null
                    : pdb.getSpec().getSelector().getMatchLabels());
            if (selected.size() != 1) {
                problems.add(where + ": selects the pods of " + selected.stream().map(Manifests::id).toList()
                        + ", expected exactly one Deployment");
                continue;
            }
            IntOrString minAvailable = pdb.getSpec().getMinAvailable();
            IntOrString maxUnavailable = pdb.getSpec().getMaxUnavailable();
            if ((minAvailable == null) == (maxUnavailable == null)) {
                problems.add(where + ": sets both or neither of minAvailable and maxUnavailable");
            }
            int replicas = minReplicas.getOrDefault(selected.getFirst().getMetadata().getName(), 1);
            if (minAvailable != null && minAvailable.getIntVal() != null && minAvailable.getIntVal() >= replicas) {
                problems.add(where + ": minAvailable " + minAvailable.getIntVal() + " with as few as " + replicas
                        + " replicas blocks every drain");
            }
        }
        return problems;
    }

    private static void claim(List<String> problems, Map<String, String> scaledBy, String deployment, String by) {
        String previous = scaledBy.put(deployment, by);
        if (previous != null) {
            problems.add("Deployment/" + deployment + " is scaled by both " + previous + " and " + by);
        }
    }
}
