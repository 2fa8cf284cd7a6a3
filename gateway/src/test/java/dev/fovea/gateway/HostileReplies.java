package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Pattern;

/** What every answer to a hostile request must look like: the documented error, no Java internals. */
final class HostileReplies {
    /** A Java class or package name, or a parser's feature names, anywhere in a reply. */
    static final Pattern INTERNALS = Pattern.compile(
            "\\b(java|javax|jakarta|com\\.fasterxml|io\\.grpc|io\\.vertx|io\\.netty|io\\.quarkus|org\\.apache)\\.[a-zA-Z]"
                    + "|Exception\\b|StreamReadFeature|JsonReadFeature|StreamReadConstraints");

    private HostileReplies() {
    }

    static void noInternals(String text) {
        assertThat(INTERNALS.matcher(text == null ? "" : text).find()).as("leaks internals: %s", text).isFalse();
    }

    /**
     * The OpenAI error envelope with {@code status}, whose message names {@code named} (a field or a limit) and
     * whose request id matches the X-Request-Id header.
     */
    static JsonNode error(GatewayHttp.Reply r, int status, String named) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).as(r.body()).startsWith("application/json");
        noInternals(r.body());
        JsonNode e = r.json().get("error");
        assertThat(e).as(r.body()).isNotNull();
        assertThat(e.has("message") && e.has("type") && e.has("param") && e.has("code")).as(r.body()).isTrue();
        assertThat(e.get("message").asText()).as(r.body()).contains(named);
        assertThat(e.path("request_id").asText()).as(r.body()).isNotBlank().isEqualTo(r.requestId());
        return e;
    }
}
