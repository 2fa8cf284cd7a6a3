package dev.fovea.manifests;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import java.util.Optional;

/**
 * How one container of the gateway image gets its API keys: the {@code env} entry for {@code fovea.gateway.api-keys}
 * (if any), the Secret key it references (if it does), and whether {@code fovea.gateway.api-keys-required} is on.
 */
record ApiKeyWiring(Workload workload, Optional<EnvVar> keys, Optional<SecretKeySelector> secret, boolean required,
                    boolean viaEnvFrom) {
    static final String PROPERTY = "fovea.gateway.api-keys";
    static final String REQUIRED_PROPERTY = "fovea.gateway.api-keys-required";
    static final String ENV = AppConfig.envName(PROPERTY);
    static final String REQUIRED_ENV = AppConfig.envName(REQUIRED_PROPERTY);
    /** The Secret the operator creates (docs/deploy.md) and its key holding the comma-separated keys. */
    static final String SECRET = "fovea-api-keys";
    static final String SECRET_KEY = "api-keys";

    static ApiKeyWiring of(Workload w) {
        Optional<EnvVar> keys = Workload.list(w.container().getEnv()).stream()
                .filter(e -> e.getName().equals(ENV)).findFirst();
        Optional<SecretKeySelector> secret = keys.map(EnvVar::getValueFrom).map(EnvVarSource::getSecretKeyRef);
        boolean viaEnvFrom = keys.isEmpty() && w.env().containsKey(ENV);
        return new ApiKeyWiring(w, keys, secret, "true".equals(w.env().get(REQUIRED_ENV)), viaEnvFrom);
    }

    /** Whether the container is given keys at all (from wherever). */
    boolean keyed() {
        return keys.isPresent() || viaEnvFrom;
    }
}
