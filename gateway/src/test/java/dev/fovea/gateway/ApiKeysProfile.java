package dev.fovea.gateway;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** A gateway with two API keys (as during a rotation), written with the spaces a hand-edited list has. */
public class ApiKeysProfile implements QuarkusTestProfile {
    static final String KEY_ONE = "fovea-test-key-one-7f3a9c21d4e8b605";
    static final String KEY_TWO = "fovea-test-key-two-0b6e2d9a41c7f358";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("fovea.gateway.api-keys", KEY_ONE + ", " + KEY_TWO, "fovea.gateway.api-keys-required", "true");
    }
}
