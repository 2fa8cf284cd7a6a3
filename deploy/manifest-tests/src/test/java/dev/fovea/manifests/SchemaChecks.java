package dev.fovea.manifests;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Namespaced;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What kustomize does not check: a misspelt field of a known kind (fabric8 keeps unknown fields aside in
 * additionalProperties instead of failing), and resources outside the namespace.
 */
final class SchemaChecks {
    static final String NAMESPACE = "fovea";
    private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

    private SchemaChecks() {
    }

    static List<String> unknownFields(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (HasMetadata r : m.all()) {
            if (!(r instanceof GenericKubernetesResource)) { // a CRD's content is all "unknown" to the model
                walk(r, Manifests.id(r), problems, 0);
            }
        }
        return problems;
    }

    static List<String> namespaces(Manifests m) {
        List<String> problems = new ArrayList<>();
        if (m.of(Namespace.class).stream().noneMatch(n -> n.getMetadata().getName().equals(NAMESPACE))) {
            problems.add("no Namespace " + NAMESPACE);
        }
        for (HasMetadata r : m.all()) {
            // the model's namespaced kinds, and every CRD used here (KEDA and Strimzi resources are namespaced)
            boolean namespaced = r instanceof Namespaced || r instanceof GenericKubernetesResource;
            if (namespaced && !NAMESPACE.equals(r.getMetadata().getNamespace())) {
                problems.add(Manifests.id(r) + ": namespace " + r.getMetadata().getNamespace() + ", expected " + NAMESPACE);
            }
        }
        return problems;
    }

    private static void walk(Object o, String path, List<String> problems, int depth) {
        if (o == null || depth > 40) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                walk(e, path + "[" + i++ + "]", problems, depth + 1);
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, problems, depth + 1));
            return;
        }
        if (!o.getClass().getName().startsWith(MODEL_PACKAGE)) {
            return;
        }
        for (Method g : o.getClass().getMethods()) {
            if (g.getParameterCount() != 0 || Modifier.isStatic(g.getModifiers()) || !g.getName().startsWith("get")
                    || g.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v;
            try {
                v = g.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue; // a computed getter (Quantity's amounts) that does not apply
            }
            if (g.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown field(s) " + extra.keySet());
                }
            } else {
                walk(v, path + "." + field(g.getName()), problems, depth + 1);
            }
        }
    }

    private static String field(String getter) {
        return Character.toLowerCase(getter.charAt(3)) + getter.substring(4);
    }
}
