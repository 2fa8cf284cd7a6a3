package dev.fovea.manifests;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * API keys of the gateway image (gateway and job workers, which serve /v1 on their pod port too): the property the
 * manifests set is one the gateway reads; keys come from a Secret, never a literal in a manifest or ConfigMap; a
 * missing Secret stops the pod (optional: false) and an empty one stops the gateway (api-keys-required); and every
 * container of the image is keyed alike, from the same Secret key, or none is.
 */
final class ApiKeyChecks {
    private ApiKeyChecks() {
    }

    static List<String> check(Manifests m) {
        List<String> problems = new ArrayList<>();
        List<ApiKeyWiring> wirings = Workload.all(m).stream().filter(w -> "gateway".equals(w.module()))
                .map(ApiKeyWiring::of).toList();
        if (wirings.stream().anyMatch(x -> x.keyed() || x.required())) {
            AppConfig gateway = AppConfig.of("gateway");
            for (String property : List.of(ApiKeyWiring.PROPERTY, ApiKeyWiring.REQUIRED_PROPERTY)) {
                if (!gateway.mappedProperties().containsKey(property)) {
                    problems.add("the manifests set " + AppConfig.envName(property) + ", but the gateway reads no "
                            + property);
                }
            }
        }
        Set<String> sources = new TreeSet<>();
        for (ApiKeyWiring x : wirings) {
            String where = x.workload().where();
            if (x.viaEnvFrom()) {
                problems.add(where + ": " + ApiKeyWiring.ENV + " comes from a ConfigMap: API keys belong in a Secret");
            } else if (x.keys().isPresent() && x.keys().get().getValue() != null) {
                problems.add(where + ": " + ApiKeyWiring.ENV + " is a literal value: take it from a Secret"
                        + " (valueFrom.secretKeyRef)");
            } else if (x.keys().isPresent() && x.secret().isEmpty()) {
                problems.add(where + ": " + ApiKeyWiring.ENV + " is not taken from a Secret (valueFrom.secretKeyRef)");
            } else if (x.secret().isPresent()) {
                sources.add(x.secret().get().getName() + "/" + x.secret().get().getKey());
                if (!Boolean.FALSE.equals(x.secret().get().getOptional())) {
                    problems.add(where + ": the API key Secret must be optional: false (a missing Secret would"
                            + " start the gateway open)");
                }
                if (!x.required()) {
                    problems.add(where + ": takes API keys from a Secret without " + ApiKeyWiring.REQUIRED_ENV
                            + "=true (an empty Secret value would start the gateway open)");
                }
            }
            if (x.required() && !x.keyed()) {
                problems.add(where + ": " + ApiKeyWiring.REQUIRED_ENV + "=true but no " + ApiKeyWiring.ENV
                        + ": the gateway would refuse to start");
            }
        }
        if (wirings.stream().anyMatch(ApiKeyWiring::keyed)) {
            wirings.stream().filter(x -> !x.keyed()).forEach(x -> problems.add(x.workload().where()
                    + ": serves /v1 without the API keys the other gateway-image containers require"));
        }
        if (sources.size() > 1) {
            problems.add("the gateway-image containers take their API keys from different Secret keys " + sources);
        }
        return problems;
    }
}
