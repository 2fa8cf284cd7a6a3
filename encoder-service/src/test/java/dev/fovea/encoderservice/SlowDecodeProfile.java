package dev.fovea.encoderservice;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** A decode deadline short enough that a large (valid) image runs past it on any machine. */
public class SlowDecodeProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("fovea.encoder.decode-timeout", "100ms", "fovea.encoder.decode-workers", "1",
                "fovea.encoder.max-stuck-decodes", "2");
    }
}
