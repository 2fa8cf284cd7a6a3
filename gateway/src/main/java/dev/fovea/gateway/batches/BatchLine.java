package dev.fovea.gateway.batches;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One request of a batch input file.
 *
 * @param line the line number in the file (1-based), for error messages
 * @param body the request body as {@code url} takes it
 */
record BatchLine(int line, String customId, JsonNode body) {
}
