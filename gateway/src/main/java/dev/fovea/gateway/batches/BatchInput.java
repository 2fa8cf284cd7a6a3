package dev.fovea.gateway.batches;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.gateway.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch input file's lines, checked the way OpenAI documents them: each a JSON object with a unique
 * {@code custom_id}, {@code method} POST, a {@code url} this gateway serves and a {@code body} object. The first
 * mistake is a 400 naming its line; blank lines are skipped. Whether each body is a valid request is decided when it
 * runs, and a refused one ends in the batch's error file.
 */
final class BatchInput {
    /** The one endpoint batches run: lines are Kafka jobs, and the job worker runs the chat path only. */
    static final String CHAT_COMPLETIONS = "/v1/chat/completions";
    /** A custom_id becomes the job's client_ref, which holds at most this many characters. */
    static final int MAX_CUSTOM_ID = 1024;

    private BatchInput() {
    }

    static List<BatchLine> parse(byte[] content, int maxRequests, ObjectMapper mapper) {
        String[] lines = new String(content, StandardCharsets.UTF_8).split("\n", -1);
        List<BatchLine> requests = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < lines.length; i++) {
            String text = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (text.isBlank()) {
                continue;
            }
            int number = i + 1;
            if (requests.size() == maxRequests) {
                throw invalid("the file holds more than " + maxRequests + " requests (fovea.batches.max-requests)",
                        "too_many_requests");
            }
            BatchLine line = line(text, number, mapper);
            Integer earlier = seen.putIfAbsent(line.customId(), number);
            if (earlier != null) {
                throw invalid("line " + number + ": custom_id " + ApiException.quote(line.customId())
                        + " already appears on line " + earlier + "; each must be unique", "duplicate_custom_id");
            }
            requests.add(line);
        }
        if (requests.isEmpty()) {
            throw invalid("the file holds no requests: give one JSON object per line", "empty_file");
        }
        return requests;
    }

    private static BatchLine line(String text, int number, ObjectMapper mapper) {
        JsonNode node;
        try {
            node = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            int column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
            throw invalid("line " + number + " is not valid JSON" + (column > 0 ? " (column " + column + ")" : ""),
                    "invalid_json_line");
        }
        if (node == null || !node.isObject()) {
            throw invalid("line " + number + " must be a JSON object", "invalid_json_line");
        }
        JsonNode customId = node.get("custom_id");
        if (customId == null || !customId.isTextual() || customId.textValue().isEmpty()) {
            throw invalid("line " + number + ": custom_id must be a non-empty string", "missing_custom_id");
        }
        if (customId.textValue().length() > MAX_CUSTOM_ID) {
            throw invalid("line " + number + ": custom_id is longer than " + MAX_CUSTOM_ID + " characters",
                    "invalid_custom_id");
        }
        JsonNode method = node.get("method");
        if (method == null || !method.isTextual() || !method.textValue().equals("POST")) {
            throw invalid("line " + number + ": method must be \"POST\", got "
                    + (method == null ? "none" : ApiException.quote(method.asText())), "invalid_method");
        }
        JsonNode url = node.get("url");
        if (url == null || !url.isTextual()) {
            throw invalid("line " + number + ": url must be \"" + CHAT_COMPLETIONS + "\"", "invalid_url");
        }
        if (!url.textValue().equals(CHAT_COMPLETIONS)) {
            throw invalid("line " + number + ": url " + ApiException.quote(url.textValue())
                    + " is not supported; batches run " + CHAT_COMPLETIONS, "invalid_url");
        }
        JsonNode body = node.get("body");
        if (body == null || !body.isObject()) {
            throw invalid("line " + number + ": body must be a JSON object (the request for " + CHAT_COMPLETIONS
                    + ")", "invalid_body");
        }
        return new BatchLine(number, customId.textValue(), body);
    }

    private static ApiException invalid(String message, String code) {
        return ApiException.badRequest(message, "file", code);
    }
}
