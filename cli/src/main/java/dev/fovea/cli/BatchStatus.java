package dev.fovea.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/** What the batch commands read from a batch object. */
final class BatchStatus {
    private static final Set<String> ENDED = Set.of("completed", "failed", "expired", "cancelled");

    private BatchStatus() {
    }

    static boolean ended(JsonNode batch) {
        return ENDED.contains(batch.path("status").asText());
    }

    /** Requests with an answer or an error. */
    static int done(JsonNode batch) {
        JsonNode c = batch.path("request_counts");
        return c.path("completed").asInt() + c.path("failed").asInt();
    }

    static int total(JsonNode batch) {
        return batch.path("request_counts").path("total").asInt();
    }

    /** "batch_… completed: 98 succeeded, 2 failed of 100; output file-…, errors file-…" and any batch errors. */
    static String summary(JsonNode batch) {
        JsonNode c = batch.path("request_counts");
        StringBuilder s = new StringBuilder(batch.path("id").asText()).append(' ').append(batch.path("status").asText())
                .append(": ").append(c.path("completed").asInt()).append(" succeeded, ").append(c.path("failed").asInt())
                .append(" failed of ").append(c.path("total").asInt());
        if (batch.hasNonNull("output_file_id")) {
            s.append("; output ").append(batch.get("output_file_id").asText());
        }
        if (batch.hasNonNull("error_file_id")) {
            s.append("; errors ").append(batch.get("error_file_id").asText());
        }
        for (JsonNode e : batch.path("errors").path("data")) {
            s.append("; ").append(e.path("message").asText());
        }
        return s.toString();
    }
}
