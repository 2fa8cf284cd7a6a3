package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A backend's status text may name Java classes; what the gateway relays must not. */
class HostileInternalNamesTest {
    @Test
    void classNamesAreRemovedAndTheRestKept() {
        for (String leaked : new String[] {
            "java.lang.NegativeArraySizeException: -741294080",
            "UNKNOWN ArithmeticException: integer overflow",
            "io.grpc.StatusRuntimeException: UNAVAILABLE: io exception",
            "failed: java.lang.OutOfMemoryError: Java heap space",
            "com.fasterxml.jackson.core.exc.StreamConstraintsException: String value length exceeds",
        }) {
            String clean = InternalNames.scrub(leaked);
            HostileReplies.noInternals(clean);
            assertThat(clean).isNotBlank();
        }
        assertThat(InternalNames.scrub("java.lang.NegativeArraySizeException: -741294080")).isEqualTo("-741294080");
        String plain = "max_tokens is 1000000000, but this model's maximum context length is 2048 tokens";
        assertThat(InternalNames.scrub(plain)).isEqualTo(plain);
        assertThat(InternalNames.scrub("fetching images from host 'images.example.com' is not allowed"))
                .contains("images.example.com");
    }
}
