package dev.fovea.gateway.batches;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A file as the files topic keeps it: OpenAI's file object plus where its content lies on the content topic.
 *
 * @param createdAt Unix seconds
 * @param lines     requests in it (JSONL lines)
 * @param partition the content topic's partition holding all its chunks
 * @param offsets   the chunks' offsets there, in order
 */
record StoredFile(String id, long bytes, long createdAt, String filename, String purpose, int lines, int partition,
                  List<Long> offsets) {
    StoredFile {
        offsets = List.copyOf(offsets);
    }

    /** OpenAI's file object. */
    ObjectNode json(ObjectMapper mapper) {
        ObjectNode n = mapper.createObjectNode();
        n.put("id", id);
        n.put("object", "file");
        n.put("bytes", bytes);
        n.put("created_at", createdAt);
        n.put("filename", filename);
        n.put("purpose", purpose);
        n.put("status", "processed");
        n.putNull("status_details");
        n.putNull("expires_at");
        return n;
    }

    /** The record on the files topic. */
    ObjectNode record(ObjectMapper mapper) {
        ObjectNode n = json(mapper);
        ObjectNode store = n.putObject("fovea");
        store.put("lines", lines);
        store.put("partition", partition);
        offsets.forEach(store.putArray("offsets")::add);
        return n;
    }

    static StoredFile fromRecord(JsonNode n) {
        JsonNode store = n.path("fovea");
        List<Long> offsets = new ArrayList<>();
        store.path("offsets").forEach(o -> offsets.add(o.asLong()));
        return new StoredFile(n.path("id").asText(), n.path("bytes").asLong(), n.path("created_at").asLong(),
                n.path("filename").asText(), n.path("purpose").asText(), store.path("lines").asInt(),
                store.path("partition").asInt(), offsets);
    }
}
