package dev.fovea.gateway.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.openai.GrpcChatRequests;
import dev.fovea.gateway.openai.JsonBodies;
import dev.fovea.gateway.openai.OpenAiRequestParser;
import dev.fovea.proto.v1.Job;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * Jobs on the requests topic, both forms of {@code fovea.v1.Job}: JSON for people and console producers (the chat
 * request under {@code "request"} in the HTTP API's own format) and binary protobuf when the record says so in its
 * {@link JobHeaders#CONTENT_TYPE} header.
 */
final class JobCodec {
    /** Longest job id and batch id: they are Kafka keys, header values and URL path segments. */
    static final int MAX_ID = 256;
    static final int MAX_CLIENT_REF = 1024;

    private final ObjectMapper mapper;
    private final int maxMessages;

    /** @param maxMessages fovea.gateway.max-messages, for the chat request inside each job */
    JobCodec(ObjectMapper mapper, int maxMessages) {
        this.mapper = mapper;
        this.maxMessages = maxMessages;
    }

    /** A job id a client sent to look up: a 400 naming the limit when longer than any job id can be. */
    static void checkId(String id) {
        if (id.length() > MAX_ID) {
            throw ApiException.badRequest("job ids are at most " + MAX_ID + " characters, got " + id.length(), "id",
                    "invalid_value");
        }
    }

    static void checkBatch(String batch) {
        if (batch.length() > MAX_ID) {
            throw ApiException.badRequest("batch ids are at most " + MAX_ID + " characters, got " + batch.length(),
                    "batch", "invalid_value");
        }
    }

    /** Reads a record's value; {@code fallbackId} names jobs that carry no id (the record key, else its position). */
    JobEnvelope decode(byte[] value, boolean protobuf, String fallbackId) throws InvalidJobException {
        if (value == null || value.length == 0) {
            throw new InvalidJobException("the record has no value", "empty_job", fallbackId);
        }
        return protobuf ? decodeProtobuf(value, fallbackId) : decodeJson(value, fallbackId);
    }

    private JobEnvelope decodeProtobuf(byte[] value, String fallbackId) throws InvalidJobException {
        Job job;
        try {
            job = Job.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidJobException("not a fovea.v1.Job protobuf message: " + e.getMessage(), "invalid_protobuf",
                    fallbackId);
        }
        String id = job.getId().isBlank() ? fallbackId : job.getId();
        if (id.length() > MAX_ID) {
            throw new InvalidJobException("id is longer than " + MAX_ID + " characters", "invalid_id", null);
        }
        if (!job.hasRequest()) {
            throw new InvalidJobException("the job has no request", "invalid_request", id);
        }
        try {
            return new JobEnvelope(id, job.getClientRef(), job.getPriority(), job.getDeadlineUnixMs(), job.getBatch(),
                    GrpcChatRequests.toRequest(job.getRequest(), maxMessages));
        } catch (ApiException e) {
            throw new InvalidJobException(e.getMessage(), e.code() == null ? "invalid_request" : e.code(), id);
        }
    }

    private JobEnvelope decodeJson(byte[] value, String fallbackId) throws InvalidJobException {
        JsonNode node;
        try {
            node = mapper.readTree(value);
        } catch (JsonProcessingException e) {
            throw new InvalidJobException(JsonBodies.invalid(e, "the job").getMessage(), "invalid_json", fallbackId);
        } catch (IOException e) {
            throw new InvalidJobException("the job cannot be read", "invalid_json", fallbackId);
        }
        return fromJson(node, fallbackId);
    }

    /** A JSON job (already parsed) to its envelope; every field is type-checked. */
    JobEnvelope fromJson(JsonNode node, String fallbackId) throws InvalidJobException {
        if (node == null || !node.isObject()) {
            throw new InvalidJobException("a job must be a JSON object", "invalid_json", fallbackId);
        }
        String id = text(node, "id", fallbackId, fallbackId);
        if (id == null || id.isBlank()) {
            throw new InvalidJobException("the job has no id", "missing_id", null);
        }
        if (id.length() > MAX_ID) {
            throw new InvalidJobException("id is longer than " + MAX_ID + " characters", "invalid_id", null);
        }
        String clientRef = text(node, "client_ref", "", id);
        if (clientRef.length() > MAX_CLIENT_REF) {
            throw new InvalidJobException("client_ref is longer than " + MAX_CLIENT_REF + " characters",
                    "invalid_client_ref", id);
        }
        String batch = text(node, "batch", "", id);
        if (batch.length() > MAX_ID) {
            throw new InvalidJobException("batch is longer than " + MAX_ID + " characters", "invalid_batch", id);
        }
        JsonNode p = node.get("priority");
        if (p != null && !p.isNull() && !(p.isIntegralNumber() && p.canConvertToInt())) {
            throw new InvalidJobException("priority must be an integer (32 bits)", "invalid_priority", id);
        }
        int priority = p == null || p.isNull() ? 0 : p.intValue();
        long deadline = deadline(node, id);
        JsonNode request = node.get("request");
        if (request == null || !request.isObject()) {
            throw new InvalidJobException("the job needs a \"request\" object: a chat completion request",
                    "invalid_request", id, batch, clientRef);
        }
        try {
            OpenAiRequestParser.Parsed parsed = OpenAiRequestParser.parse(request, maxMessages);
            return new JobEnvelope(id, clientRef, priority, deadline, batch, parsed.request());
        } catch (ApiException e) {
            throw new InvalidJobException(e.getMessage(), e.code() == null ? "invalid_request" : e.code(), id, batch,
                    clientRef);
        }
    }

    /** A submitted JSON job, checked, with its id and batch filled in, ready for the topic. */
    ObjectNode normalize(JsonNode node, String batch) throws InvalidJobException {
        if (node == null || !node.isObject()) {
            throw new InvalidJobException("a job must be a JSON object", "invalid_json", null);
        }
        ObjectNode job = ((ObjectNode) node).deepCopy();
        if (!job.hasNonNull("id")) {
            job.put("id", newId());
        }
        if (!job.hasNonNull("batch") || job.get("batch").asText().isBlank()) {
            job.put("batch", batch);
        }
        fromJson(job, null);
        return job;
    }

    static String newId() {
        return "job-" + UUID.randomUUID();
    }

    private static String text(JsonNode node, String field, String absent, String id) throws InvalidJobException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isTextual()) {
            throw new InvalidJobException(field + " must be a string", "invalid_" + field, id);
        }
        return v.textValue();
    }

    private static long deadline(JsonNode node, String id) throws InvalidJobException {
        JsonNode ms = node.get("deadline_unix_ms");
        if (ms != null && !ms.isNull()) {
            if (!ms.isIntegralNumber() || !ms.canConvertToLong() || ms.longValue() < 0) {
                throw new InvalidJobException("deadline_unix_ms must be a non-negative integer", "invalid_deadline", id);
            }
            return ms.longValue();
        }
        JsonNode iso = node.get("deadline");
        if (iso == null || iso.isNull()) {
            return 0;
        }
        try {
            return Instant.parse(iso.asText()).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new InvalidJobException("deadline must be an ISO-8601 instant such as 2026-12-01T12:00:00Z",
                    "invalid_deadline", id);
        }
    }
}
