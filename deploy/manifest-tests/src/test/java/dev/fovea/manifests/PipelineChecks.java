package dev.fovea.manifests;

import dev.fovea.manifests.PipelineRegistryFile.Combination;
import dev.fovea.manifests.PipelineRegistryFile.Encoder;
import dev.fovea.manifests.PipelineRegistryFile.Pipeline;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pipeline registry the gateway image mounts: it parses as the gateway reads it, passes the gateway's startup
 * validation, and every address is a Service of these manifests, on one of its ports, in front of the right service;
 * the adapter ids it names are configured at that adapter service.
 */
final class PipelineChecks {
    static final String PIPELINES_ENV = "FOVEA_GATEWAY_PIPELINES";
    /** name, name.namespace, name.namespace.svc, name.namespace.svc.cluster.local — then :port. */
    private static final Pattern ADDRESS = Pattern.compile(
            "([a-z0-9]([-a-z0-9]*[a-z0-9])?)(?:\\.([a-z0-9-]+)(?:\\.svc(?:\\.cluster\\.local)?)?)?:(\\d+)");
    private static final Set<String> TILINGS = Set.of("none", "anyres", "subimages");

    private PipelineChecks() {
    }

    static List<String> check(Manifests m) {
        List<String> problems = new ArrayList<>();
        Set<String> usedEncoders = new HashSet<>();
        for (Workload w : Workload.all(m)) {
            if (!"gateway".equals(w.module())) {
                continue;
            }
            String path = w.env().get(PIPELINES_ENV);
            Optional<String> text = path == null ? Optional.empty() : w.configFile(path);
            if (text.isEmpty()) {
                problems.add(w.where() + ": " + PIPELINES_ENV + "=" + path + " is not a key of a mounted ConfigMap");
                continue;
            }
            PipelineRegistryFile file;
            try {
                file = PipelineRegistryFile.parse(text.get());
            } catch (IOException e) {
                problems.add(w.where() + ": the pipeline registry does not parse: " + e.getMessage());
                continue;
            }
            String ns = Manifests.namespaceOf(w.deployment());
            Set<String> models = new HashSet<>();
            for (Pipeline p : file.pipelines()) {
                String where = w.where() + " pipeline '" + p.model() + "'";
                if (p.model() == null || p.model().isBlank() || !models.add(p.model())) {
                    problems.add(where + ": model id missing or repeated");
                }
                if (p.tiling() != null && !TILINGS.contains(p.tiling().trim().toLowerCase(Locale.ROOT))) {
                    problems.add(where + ": tiling " + p.tiling() + " is none of " + TILINGS);
                }
                if ("anyres".equalsIgnoreCase(String.valueOf(p.tiling())) && p.encoders().size() != 1) {
                    problems.add(where + ": anyres takes exactly one encoder");
                }
                target(m, problems, where + " llm", p.llm(), ns, "llm-service");
                Set<String> names = new HashSet<>();
                for (Encoder e : p.encoders()) {
                    if (e.name() == null || e.name().isBlank() || e.name().contains("+") || !names.add(e.name())) {
                        problems.add(where + ": encoder names must be unique, without '+'");
                    }
                    if (e.replicas().isEmpty()) {
                        problems.add(where + ": encoder " + e.name() + " has no replicas");
                    }
                    for (String r : e.replicas()) {
                        target(m, problems, where + " encoder " + e.name(), r, ns, "encoder-service")
                                .ifPresent(d -> usedEncoders.add(d.getMetadata().getName()));
                    }
                }
                List<String> adapterIds = new ArrayList<>();
                if (!p.encoders().isEmpty()) {
                    if (p.adapter() == null || p.adapter().id() == null || p.adapter().id().isBlank()) {
                        problems.add(where + ": a pipeline with encoders needs an adapter id");
                    } else {
                        adapterIds.add(p.adapter().id());
                    }
                } else if (!p.combinations().isEmpty()) {
                    problems.add(where + ": combinations need encoders");
                }
                for (Map.Entry<String, Combination> c : p.combinations().entrySet()) {
                    if (c.getValue().encoders().isEmpty() || !names.containsAll(c.getValue().encoders())) {
                        problems.add(where + ": combination " + c.getKey() + " names encoders outside " + names);
                    }
                    adapterIds.add(c.getValue().adapter());
                }
                if (p.adapter() != null) {
                    Optional<Deployment> adapter = target(m, problems, where + " adapter", p.adapter().address(), ns,
                            "adapter-service");
                    if (adapter.isPresent()) {
                        Set<String> configured = adapterIds(m, adapter.get());
                        for (String id : adapterIds) {
                            if (!configured.contains(id)) {
                                problems.add(where + ": adapter id " + id + " is not configured at "
                                        + Manifests.id(adapter.get()) + " (it has " + configured + ")");
                            }
                        }
                    }
                }
            }
        }
        for (Deployment d : m.deployments()) {
            if ("encoder-service".equals(ServiceChecks.module(m, d)) && !usedEncoders.contains(d.getMetadata().getName())) {
                problems.add(Manifests.id(d) + ": no pipeline sends images to this encoder");
            }
        }
        return problems;
    }

    /** The Deployment behind {@code address}, when it is a Service port here in front of {@code module}. */
    private static Optional<Deployment> target(Manifests m, List<String> problems, String where, String address,
                                               String namespace, String module) {
        Matcher a = ADDRESS.matcher(address == null ? "" : address);
        if (!a.matches()) {
            problems.add(where + ": address " + address + " is not <service>[.<namespace>[.svc[.cluster.local]]]:<port>");
            return Optional.empty();
        }
        String ns = a.group(3) != null ? a.group(3) : namespace;
        int port = Integer.parseInt(a.group(4));
        Optional<Service> svc = m.service(a.group(1), ns);
        if (svc.isEmpty()) {
            problems.add(where + ": address " + address + " names no Service " + a.group(1) + " in namespace " + ns);
            return Optional.empty();
        }
        if (Workload.list(svc.get().getSpec().getPorts()).stream().noneMatch(p -> p.getPort() == port)) {
            problems.add(where + ": Service " + a.group(1) + " has no port " + port);
        }
        List<Deployment> behind = m.selectedBy(svc.get().getSpec().getSelector());
        if (behind.size() != 1 || !module.equals(ServiceChecks.module(m, behind.getFirst()))) {
            problems.add(where + ": Service " + a.group(1) + " is not in front of one " + module + " Deployment");
            return Optional.empty();
        }
        return Optional.of(behind.getFirst());
    }

    /** The fovea.adapter.files.<id> ids in the config files an adapter Deployment mounts. */
    private static Set<String> adapterIds(Manifests m, Deployment d) {
        Set<String> ids = new HashSet<>();
        for (Workload w : Workload.all(m)) {
            String locations = w.deployment() == d ? w.env().get(WorkloadChecks.CONFIG_LOCATIONS) : null;
            for (String loc : locations == null ? new String[0] : locations.split(",")) {
                w.configFile(loc.trim().replaceFirst("^file:", "")).ifPresent(text -> {
                    Properties p = new Properties();
                    try {
                        p.load(new StringReader(text));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    p.stringPropertyNames().stream().filter(k -> k.startsWith("fovea.adapter.files."))
                            .forEach(k -> ids.add(k.substring("fovea.adapter.files.".length())));
                });
            }
        }
        return ids;
    }
}
