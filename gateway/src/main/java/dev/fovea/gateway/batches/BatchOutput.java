package dev.fovea.gateway.batches;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.jobs.JobOutcome;
import dev.fovea.gateway.jobs.JobQueue;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A finished batch's output and error files, built from its jobs' results in input order. An output line is
 * {@code {"id", "custom_id", "response": {"status_code": 200, "request_id", "body": completion}, "error": null}};
 * an error line has {@code "response": null} and {@code "error": {"code", "message"}}. Requests a cancellation kept
 * from running are in neither.
 */
final class BatchOutput {
    /** The two files' content and how many lines each holds. */
    record Files(byte[] output, int succeeded, byte[] errors, int failed) {
    }

    private final ObjectMapper mapper;
    private final JobQueue jobs;

    BatchOutput(ObjectMapper mapper, JobQueue jobs) {
        this.mapper = mapper;
        this.jobs = jobs;
    }

    Files build(Batch batch) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int succeeded = 0;
        int failed = 0;
        for (int i = 0; i < batch.total(); i++) {
            String jobId = BatchIds.job(batch.id(), i);
            Optional<JsonNode> result = jobs.result(jobId);
            ObjectNode line = mapper.createObjectNode();
            line.put("id", BatchIds.request(jobId));
            line.put("custom_id", result.map(r -> r.path("client_ref").asText()).orElse(""));
            if (result.isEmpty()) {
                // the results view no longer holds it (fovea.jobs.view-max-results too small for the batch)
                line.putNull("response");
                error(line, "result_unavailable", "the result of job " + jobId + " is no longer held by this "
                        + "gateway's results view; read it with GET /v1/jobs/" + jobId + " or raise "
                        + "fovea.jobs.view-max-results");
                append(errors, line);
                failed++;
                continue;
            }
            JsonNode r = result.get();
            switch (JobOutcome.of(r)) {
                case SUCCEEDED -> {
                    ObjectNode response = line.putObject("response");
                    response.put("status_code", 200);
                    response.put("request_id", BatchIds.requestId(jobId));
                    response.set("body", r.path("response"));
                    line.putNull("error");
                    append(output, line);
                    succeeded++;
                }
                case FAILED -> {
                    line.putNull("response");
                    error(line, r.path("error").path("code").asText("failed"),
                            r.path("error").path("message").asText("the request failed"));
                    append(errors, line);
                    failed++;
                }
                case CANCELLED -> {
                    // not run: in neither file
                }
            }
        }
        return new Files(output.toByteArray(), succeeded, errors.toByteArray(), failed);
    }

    private static void error(ObjectNode line, String code, String message) {
        ObjectNode error = line.putObject("error");
        error.put("code", code);
        error.put("message", message);
    }

    private static void append(ByteArrayOutputStream out, ObjectNode line) {
        out.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
        out.write('\n');
    }
}
