package dev.fovea.gateway.batches;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Consumer;

/**
 * A batch as OpenAI's batch object, which is also its record on the batches topic. Immutable: a change makes a
 * copy. States move one way — validating → in_progress → (cancelling →) finalizing → completed / cancelled /
 * expired, or validating → failed — and {@link #rank(String)} orders them, so a replica never takes an older state
 * for a newer one.
 */
final class Batch {
    static final String VALIDATING = "validating";
    static final String IN_PROGRESS = "in_progress";
    static final String CANCELLING = "cancelling";
    static final String FINALIZING = "finalizing";
    static final String COMPLETED = "completed";
    static final String FAILED = "failed";
    static final String CANCELLED = "cancelled";
    static final String EXPIRED = "expired";
    private static final List<String> TIMES = List.of("in_progress_at", "finalizing_at", "completed_at", "failed_at",
            "expired_at", "cancelling_at", "cancelled_at");

    private final ObjectNode node;

    private Batch(ObjectNode node) {
        this.node = node;
    }

    /** A new batch, validating; times in Unix seconds. */
    static Batch create(ObjectMapper mapper, String id, String endpoint, String inputFileId, String window,
                        long createdAt, long expiresAt, JsonNode metadata) {
        ObjectNode n = mapper.createObjectNode();
        n.put("id", id);
        n.put("object", "batch");
        n.put("endpoint", endpoint);
        n.putNull("errors");
        n.put("input_file_id", inputFileId);
        n.put("completion_window", window);
        n.put("status", VALIDATING);
        n.putNull("output_file_id");
        n.putNull("error_file_id");
        n.put("created_at", createdAt);
        n.put("expires_at", expiresAt);
        TIMES.forEach(n::putNull);
        ObjectNode counts = n.putObject("request_counts");
        counts.put("total", 0);
        counts.put("completed", 0);
        counts.put("failed", 0);
        if (metadata == null || metadata.isNull()) {
            n.putNull("metadata");
        } else {
            n.set("metadata", metadata.deepCopy());
        }
        return new Batch(n);
    }

    static Batch of(JsonNode record) {
        return new Batch(((ObjectNode) record).deepCopy());
    }

    /** A copy with {@code change} applied to its JSON. */
    Batch with(Consumer<ObjectNode> change) {
        ObjectNode copy = node.deepCopy();
        change.accept(copy);
        return new Batch(copy);
    }

    /** A copy of the JSON. */
    ObjectNode json() {
        return node.deepCopy();
    }

    String id() {
        return node.path("id").asText();
    }

    String status() {
        return node.path("status").asText();
    }

    String inputFileId() {
        return node.path("input_file_id").asText();
    }

    long createdAt() {
        return node.path("created_at").asLong();
    }

    long expiresAt() {
        return node.path("expires_at").asLong();
    }

    int total() {
        return node.path("request_counts").path("total").asInt();
    }

    /** The Unix time in a field such as {@code cancelling_at}, or null. */
    Long time(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asLong();
    }

    boolean terminal() {
        return rank(status()) == 4;
    }

    /** Later states rank higher; the end states share the top rank. */
    static int rank(String status) {
        return switch (status) {
            case VALIDATING -> 0;
            case IN_PROGRESS -> 1;
            case CANCELLING -> 2;
            case FINALIZING -> 3;
            default -> 4;
        };
    }
}
