package dev.fovea.manifests;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One container of a Deployment with what the checks ask of it: the Fovea module its image is built from
 * ({@code fovea/<module>[:tag]}) and its environment as the pod sees it ({@code envFrom} ConfigMaps resolved).
 */
record Workload(Manifests manifests, Deployment deployment, Container container, String module, String tag) {
    static final Pattern IMAGE = Pattern.compile("fovea/([a-z][a-z0-9-]*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]*))?");

    static List<Workload> all(Manifests m) {
        List<Workload> out = new ArrayList<>();
        for (Deployment d : m.deployments()) {
            for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
                Matcher im = IMAGE.matcher(c.getImage() == null ? "" : c.getImage());
                boolean ours = im.matches();
                out.add(new Workload(m, d, c, ours ? im.group(1) : null, ours ? im.group(2) : null));
            }
        }
        return out;
    }

    String where() {
        return "Deployment/" + deployment.getMetadata().getName() + " container " + container.getName();
    }

    PodSpec pod() {
        return deployment.getSpec().getTemplate().getSpec();
    }

    /** Name → value; a ConfigMap that envFrom names but the manifests lack contributes nothing (see missingEnvFrom). */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : list(container.getEnvFrom())) {
            if (from.getConfigMapRef() != null) {
                manifests.configMap(from.getConfigMapRef().getName())
                        .ifPresent(cm -> cm.getData().forEach((k, v) -> env.put(prefix(from) + k, v)));
            }
        }
        for (EnvVar e : list(container.getEnv())) {
            env.put(e.getName(), e.getValue());
        }
        return env;
    }

    List<String> missingEnvFrom() {
        List<String> missing = new ArrayList<>();
        for (EnvFromSource from : list(container.getEnvFrom())) {
            if (from.getConfigMapRef() == null) {
                missing.add("an envFrom source other than a ConfigMap");
            } else if (manifests.configMap(from.getConfigMapRef().getName()).isEmpty()) {
                missing.add("ConfigMap " + from.getConfigMapRef().getName());
            }
        }
        return missing;
    }

    /** The volume mounted at the longest mount path that contains {@code path}, with its mount. */
    Optional<Map.Entry<VolumeMount, Volume>> volumeFor(String path) {
        VolumeMount best = null;
        for (VolumeMount vm : list(container.getVolumeMounts())) {
            String mp = vm.getMountPath().endsWith("/") ? vm.getMountPath() : vm.getMountPath() + "/";
            if (path.startsWith(mp) && (best == null || vm.getMountPath().length() > best.getMountPath().length())) {
                best = vm;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        String name = best.getName();
        VolumeMount mount = best;
        return list(pod().getVolumes()).stream().filter(v -> v.getName().equals(name)).findFirst()
                .map(v -> Map.entry(mount, v));
    }

    /** The text of the ConfigMap key a file path names, when the path lies in a ConfigMap volume. */
    Optional<String> configFile(String path) {
        return volumeFor(path).flatMap(e -> {
            if (e.getValue().getConfigMap() == null) {
                return Optional.empty();
            }
            String mountPath = e.getKey().getMountPath().replaceAll("/+$", "");
            String key = path.substring(mountPath.length() + 1);
            return manifests.configMap(e.getValue().getConfigMap().getName())
                    .map(ConfigMap::getData).map(d -> d.get(key));
        });
    }

    private static String prefix(EnvFromSource from) {
        return from.getPrefix() == null ? "" : from.getPrefix();
    }

    static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
