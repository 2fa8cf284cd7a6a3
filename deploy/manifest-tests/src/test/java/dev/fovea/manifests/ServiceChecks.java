package dev.fovea.manifests;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Services select one Deployment's pods and reach its ports; the gRPC backends' Services are headless. */
final class ServiceChecks {
    /** The modules the gateway calls over gRPC with its own round-robin: their Services must list pod addresses. */
    static final Set<String> GRPC_BACKENDS = Set.of("encoder-service", "adapter-service", "llm-service");

    private ServiceChecks() {
    }

    static List<String> check(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (Service s : m.services()) {
            String where = Manifests.id(s);
            List<Deployment> selected = m.selectedBy(s.getSpec().getSelector());
            if (selected.size() != 1) {
                problems.add(where + ": selector " + s.getSpec().getSelector() + " matches the pods of "
                        + selected.stream().map(Manifests::id).toList() + ", expected exactly one Deployment");
                continue;
            }
            Deployment d = selected.getFirst();
            boolean headless = "None".equals(s.getSpec().getClusterIP());
            String module = module(m, d);
            if (GRPC_BACKENDS.contains(module) && !headless) {
                problems.add(where + ": " + module + " is called with client-side round-robin: clusterIP must be None");
            }
            if ("gateway".equals(module) && headless) {
                problems.add(where + ": the gateway's Service is its clients' single address; it must not be headless");
            }
            for (ServicePort p : Workload.list(s.getSpec().getPorts())) {
                IntOrString target = p.getTargetPort() != null ? p.getTargetPort() : new IntOrString(p.getPort());
                Optional<ContainerPort> cp = containers(d).stream()
                        .map(c -> WorkloadChecks.containerPort(c, target)).flatMap(Optional::stream).findFirst();
                if (cp.isEmpty()) {
                    problems.add(where + ": port " + p.getPort() + " targets " + WorkloadChecks.show(target)
                            + ", which " + Manifests.id(d) + " does not declare");
                } else if (headless && !cp.get().getContainerPort().equals(p.getPort())) {
                    // DNS of a headless Service gives pod IPs: clients dial the Service port on the pods directly
                    problems.add(where + ": headless, so port " + p.getPort() + " must equal container port "
                            + cp.get().getContainerPort());
                }
            }
        }
        for (Deployment d : m.deployments()) {
            String module = module(m, d);
            boolean needsService = GRPC_BACKENDS.contains(module) || d.getMetadata().getName().equals("gateway");
            boolean hasService = m.services().stream().anyMatch(s -> m.selectedBy(s.getSpec().getSelector()).contains(d));
            if (needsService && !hasService) {
                problems.add(Manifests.id(d) + ": no Service selects its pods");
            }
        }
        return problems;
    }

    /** The Fovea module of a Deployment's (first) container image, or null. */
    static String module(Manifests m, Deployment d) {
        return Workload.all(m).stream().filter(w -> w.deployment() == d).map(Workload::module)
                .filter(x -> x != null).findFirst().orElse(null);
    }

    private static List<Container> containers(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers();
    }
}
