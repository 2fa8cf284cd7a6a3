package dev.fovea.cli;

import java.net.URI;
import java.net.http.HttpRequest;

/**
 * Requests to a gateway's API: with {@code FOVEA_API_KEY} set, each carries {@code Authorization: Bearer <key>},
 * which a gateway with API keys requires (the clients of the openai packages send their apiKey the same way).
 */
final class GatewayRequests {
    static final String KEY_VARIABLE = "FOVEA_API_KEY";

    private GatewayRequests() {
    }

    static HttpRequest.Builder to(String url) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        String key = System.getenv(KEY_VARIABLE);
        if (key != null && !key.isBlank()) {
            b.header("Authorization", "Bearer " + key.strip());
        }
        return b;
    }
}
