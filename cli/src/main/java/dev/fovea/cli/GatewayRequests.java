package dev.fovea.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Optional;

/**
 * Requests to a gateway's API: with {@code FOVEA_API_KEY} set, each carries {@code Authorization: Bearer <key>},
 * which a gateway with API keys requires (the clients of the openai packages send their apiKey the same way).
 */
final class GatewayRequests {
    static final String KEY_VARIABLE = "FOVEA_API_KEY";

    private GatewayRequests() {
    }

    /** The message of an OpenAI-style error body, {@code {"error": {"message": ...}}}; empty for any other body. */
    static Optional<String> errorMessage(String body) {
        try {
            JsonNode message = Json.mapper().readTree(body).path("error").path("message");
            return message.isTextual() ? Optional.of(message.asText()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // not JSON
        }
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
