package dev.fovea.manifests;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;

/** Field access into a CRD's untyped content (KEDA, Strimzi): nested maps and lists as Jackson read them. */
final class Generic {
    private Generic() {
    }

    /** The value at {@code path} (map keys, or list indexes as Integer), or null where any step is missing. */
    static Object at(GenericKubernetesResource r, Object... path) {
        Object cur = r.getAdditionalProperties();
        for (Object step : path) {
            if (step instanceof Integer i && cur instanceof List<?> l) {
                cur = i < l.size() ? l.get(i) : null;
            } else if (cur instanceof Map<?, ?> map) {
                cur = map.get(step);
            } else {
                return null;
            }
        }
        return cur;
    }

    static String string(GenericKubernetesResource r, Object... path) {
        Object v = at(r, path);
        return v == null ? null : v.toString();
    }

    static Integer integer(GenericKubernetesResource r, Object... path) {
        Object v = at(r, path);
        return v instanceof Number n ? n.intValue() : v == null ? null : Integer.valueOf(v.toString());
    }

    static List<?> list(GenericKubernetesResource r, Object... path) {
        return at(r, path) instanceof List<?> l ? l : List.of();
    }
}
