package dev.fovea.gateway.jobs;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The Kafka record headers of the job topics (docs/jobs.md), written and read here only: producers, consumers and
 * people reading the dead-letter topic must agree on their names and formats.
 */
final class JobHeaders {
    /** How a record's value is encoded: {@link #JSON} (the default) or {@link #PROTOBUF}. */
    static final String CONTENT_TYPE = "content-type";
    static final String PROTOBUF = "application/x-protobuf";
    static final String JSON = "application/json";
    /** A job's priority, so workers order jobs without parsing them; absent means 0. */
    static final String PRIORITY = "fovea.priority";
    static final String DLQ_REASON = "fovea.dlq.reason";
    static final String DLQ_CODE = "fovea.dlq.code";
    static final String DLQ_SOURCE = "fovea.dlq.source";
    static final String DLQ_WORKER = "fovea.dlq.worker";

    private JobHeaders() {
    }

    static void contentType(Headers headers, String contentType) {
        put(headers, CONTENT_TYPE, contentType);
    }

    static boolean isProtobuf(Headers headers) {
        Header h = headers.lastHeader(CONTENT_TYPE);
        return h != null && new String(h.value(), StandardCharsets.UTF_8).trim().startsWith(PROTOBUF);
    }

    /** Only a non-zero priority is written: 0 is what a record without the header has. */
    static void priority(Headers headers, int priority) {
        if (priority != 0) {
            put(headers, PRIORITY, Integer.toString(priority));
        }
    }

    /** A record's priority; 0 when it has none or one that is not a number. */
    static int priority(Headers headers) {
        Header h = headers.lastHeader(PRIORITY);
        if (h == null) {
            return 0;
        }
        try {
            return Integer.parseInt(new String(h.value(), StandardCharsets.UTF_8).trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * A dead letter's headers: the original record's, then why it was refused and where it came from.
     *
     * @param source the original record's {@code topic/partition/offset}
     */
    static Headers deadLetter(Headers original, String reason, String code, String source, String workerId) {
        Headers headers = new RecordHeaders();
        for (Header h : original) {
            headers.add(h);
        }
        put(headers, DLQ_REASON, reason);
        put(headers, DLQ_CODE, code);
        put(headers, DLQ_SOURCE, source);
        put(headers, DLQ_WORKER, workerId);
        return headers;
    }

    private static void put(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
