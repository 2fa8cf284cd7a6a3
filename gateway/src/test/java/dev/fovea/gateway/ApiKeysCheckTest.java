package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.gateway.ApiKeys.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The credential check alone (no gateway): parsing of the Bearer header, trimming, several keys, fail-closed. */
class ApiKeysCheckTest {
    private static final String ONE = "key-one-0123456789abcdef";
    private static final String TWO = "key-two-0123456789abcdef";

    @Test
    void withoutKeysEverythingIsAccepted() {
        ApiKeys open = new ApiKeys(List.of(), false);
        assertThat(open.enabled()).isFalse();
        assertThat(open.check(null)).isEqualTo(Verdict.ACCEPTED);
        assertThat(open.check("Bearer anything")).isEqualTo(Verdict.ACCEPTED);
        // blanks (an empty Secret line, a stray comma) are no keys
        assertThat(new ApiKeys(List.of(" ", "\n"), false).enabled()).isFalse();
    }

    @Test
    void eachConfiguredKeyIsAcceptedAsABearerToken() {
        ApiKeys keys = new ApiKeys(List.of(ONE, " " + TWO + "\n"), false);
        assertThat(keys.enabled()).isTrue();
        assertThat(keys.check("Bearer " + ONE)).isEqualTo(Verdict.ACCEPTED);
        assertThat(keys.check("Bearer " + TWO)).isEqualTo(Verdict.ACCEPTED);
        assertThat(keys.check("bearer " + ONE)).as("the scheme is case-insensitive").isEqualTo(Verdict.ACCEPTED);
        assertThat(keys.check("BEARER  " + ONE + " ")).isEqualTo(Verdict.ACCEPTED);
    }

    @Test
    void noBearerCredentialIsMissing() {
        ApiKeys keys = new ApiKeys(List.of(ONE), false);
        for (String header : new String[] {null, "", "Bearer", "Bearer ", "Bearer    ", ONE, "Basic " + ONE,
                "Bearer" + ONE}) {
            assertThat(keys.check(header)).as(String.valueOf(header)).isEqualTo(Verdict.MISSING);
        }
    }

    @Test
    void anythingButAWholeKeyIsInvalid() {
        ApiKeys keys = new ApiKeys(List.of(ONE), false);
        for (String token : new String[] {"wrong", ONE.substring(0, ONE.length() - 1), ONE + "0", ONE.toUpperCase(),
                ONE + "," + TWO, TWO}) {
            assertThat(keys.check("Bearer " + token)).as(token).isEqualTo(Verdict.INVALID);
        }
    }

    @Test
    void theErrorsAreOpenAiStyleAndNeverQuoteTheKey() {
        for (Verdict v : List.of(Verdict.MISSING, Verdict.INVALID)) {
            ApiException e = v.error();
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.type()).isEqualTo("invalid_request_error");
            assertThat(e.code()).isEqualTo("invalid_api_key");
            assertThat(e.getMessage()).doesNotContain(ONE);
        }
        assertThat(Verdict.MISSING.reason()).isEqualTo("missing");
        assertThat(Verdict.INVALID.reason()).isEqualTo("invalid");
    }

    @Test
    void requiredKeysRefuseToStartWithoutAny() {
        assertThatThrownBy(() -> new ApiKeys(List.of(), true)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fovea.gateway.api-keys-required");
        assertThatThrownBy(() -> new ApiKeys(List.of(""), true)).isInstanceOf(IllegalStateException.class);
        assertThat(new ApiKeys(List.of(ONE), true).enabled()).isTrue();
    }
}
