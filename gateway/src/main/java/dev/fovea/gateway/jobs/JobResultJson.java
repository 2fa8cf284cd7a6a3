package dev.fovea.gateway.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.chat.ChatOutcome;
import dev.fovea.gateway.openai.OpenAiJson;
import dev.fovea.proto.v1.ChatResponse;
import dev.fovea.proto.v1.GroundingBox;
import dev.fovea.proto.v1.JobState;
import dev.fovea.proto.v1.JobStatus;
import dev.fovea.proto.v1.Usage;
import java.util.Locale;

/**
 * A job's result as it is written to the results topic and answered by GET /v1/jobs/{id}: the job's metadata, its
 * state, and the chat completion exactly as the HTTP API would have returned it (docs/jobs.md).
 */
final class JobResultJson {
    private final ObjectMapper mapper;
    private final OpenAiJson openAi;

    JobResultJson(ObjectMapper mapper) {
        this.mapper = mapper;
        this.openAi = new OpenAiJson(mapper);
    }

    /** The completion's id derives from the job's, so a job run twice writes the same response. */
    ObjectNode succeeded(JobEnvelope job, ChatOutcome outcome, int attempts, long finishedMs) {
        ObjectNode r = head(job.id(), JobState.JOB_STATE_SUCCEEDED, job.batch(), job.clientRef(), attempts,
                finishedMs);
        r.set("response", openAi.completion("chatcmpl-" + job.id(), job.request().model(), finishedMs / 1000, outcome,
                job.request().returnTokenIds()));
        return r;
    }

    ObjectNode unsuccessful(String id, JobState state, String batch, String clientRef, String code, String message,
                            int attempts, long finishedMs) {
        ObjectNode r = head(id, state, batch, clientRef, attempts, finishedMs);
        ObjectNode error = r.putObject("error");
        error.put("code", code);
        error.put("message", message);
        return r;
    }

    /** What GET answers for a job this gateway accepted that has no result yet. */
    ObjectNode queued(String id, String batch) {
        ObjectNode r = mapper.createObjectNode();
        r.put("id", id);
        r.put("object", "fovea.job");
        r.put("state", name(JobState.JOB_STATE_QUEUED));
        r.put("batch", batch);
        return r;
    }

    static String name(JobState state) {
        return state.name().substring("JOB_STATE_".length()).toLowerCase(Locale.ROOT);
    }

    /** A stored result back into the gRPC shape. */
    static JobStatus toProto(JsonNode r) {
        JobStatus.Builder s = JobStatus.newBuilder().setId(r.path("id").asText())
                .setState(JobState.valueOf("JOB_STATE_" + r.path("state").asText().toUpperCase(Locale.ROOT)))
                .setBatch(r.path("batch").asText()).setClientRef(r.path("client_ref").asText())
                .setAttempts(r.path("attempts").asInt()).setFinishedUnixMs(r.path("finished_unix_ms").asLong());
        if (r.has("error")) {
            s.setError(r.path("error").path("code").asText() + ": " + r.path("error").path("message").asText());
        }
        JsonNode resp = r.get("response");
        if (resp != null && resp.isObject()) {
            JsonNode choice = resp.path("choices").path(0);
            JsonNode usage = resp.path("usage");
            ChatResponse.Builder c = ChatResponse.newBuilder().setId(resp.path("id").asText())
                    .setModel(resp.path("model").asText()).setCreated(resp.path("created").asLong())
                    .setText(choice.path("message").path("content").asText())
                    .setFinishReason(choice.path("finish_reason").asText())
                    .setUsage(Usage.newBuilder().setPromptTokens(usage.path("prompt_tokens").asInt())
                            .setCompletionTokens(usage.path("completion_tokens").asInt())
                            .setTotalTokens(usage.path("total_tokens").asInt()));
            JsonNode ext = choice.path("message").path("fovea");
            ext.path("token_ids").forEach(t -> c.addTokenIds(t.asInt()));
            ext.path("boxes").forEach(b -> c.addBoxes(GroundingBox.newBuilder().setLabel(b.path("label").asText())
                    .setX1(b.path("x1").asDouble()).setY1(b.path("y1").asDouble())
                    .setX2(b.path("x2").asDouble()).setY2(b.path("y2").asDouble())));
            s.setResponse(c);
        }
        return s.build();
    }

    private ObjectNode head(String id, JobState state, String batch, String clientRef, int attempts, long finishedMs) {
        ObjectNode r = mapper.createObjectNode();
        r.put("id", id);
        r.put("object", "fovea.job");
        r.put("state", name(state));
        r.put("batch", batch == null ? "" : batch);
        r.put("client_ref", clientRef == null ? "" : clientRef);
        r.put("attempts", attempts);
        r.put("finished_unix_ms", finishedMs);
        return r;
    }
}
