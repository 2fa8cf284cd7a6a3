package dev.fovea.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.proto.v1.ChatMessage;
import dev.fovea.proto.v1.ChatRequest;
import dev.fovea.proto.v1.ContentPart;
import dev.fovea.proto.v1.Job;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Both wire forms of a job, and the reasons poison records are refused with. */
class JobCodecTest {
    private final ObjectMapper mapper = new ObjectMapper();
    private final JobCodec codec = new JobCodec(mapper, 64);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsAJsonJobWithItsMetadata() throws Exception {
        JobEnvelope job = codec.decode(utf8("""
                {"id": "j1", "client_ref": "c", "priority": 3, "deadline": "2030-01-01T00:00:00Z", "batch": "b",
                 "request": {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 5,
                             "temperature": 0}}"""), false, "key");
        assertThat(job.id()).isEqualTo("j1");
        assertThat(job.clientRef()).isEqualTo("c");
        assertThat(job.priority()).isEqualTo(3);
        assertThat(job.deadlineUnixMs()).isEqualTo(1893456000000L);
        assertThat(job.batch()).isEqualTo("b");
        assertThat(job.request().model()).isEqualTo("m");
        assertThat(job.request().maxTokens()).isEqualTo(5);
        assertThat(job.request().sampling().temperature()).isZero();
    }

    @Test
    void takesTheKeyAsIdAndLeavesMaxTokensToTheContext() throws Exception {
        JobEnvelope job = codec.decode(utf8("{\"request\": {\"model\": \"m\", \"messages\": [{\"role\": \"user\", "
                + "\"content\": \"hi\"}]}}"), false, "the-key");
        assertThat(job.id()).isEqualTo("the-key");
        // none given: the orchestrator picks the default, cut to what the model's context leaves
        assertThat(job.request().maxTokens()).isNull();
        assertThat(job.deadlineUnixMs()).isZero();
    }

    @Test
    void aRefusedRequestKeepsItsJobsBatchAndClientRef() {
        // so the rejected result is counted with its batch (an OpenAI batch waits for every line's result)
        assertThatThrownBy(() -> codec.decode(utf8("""
                {"id": "b-1", "batch": "batch_x", "client_ref": "line-1",
                 "request": {"model": "m", "messages": [{"role": "wizard", "content": "hi"}]}}"""), false, "key"))
                .isInstanceOfSatisfying(InvalidJobException.class, e -> {
                    assertThat(e.jobId()).isEqualTo("b-1");
                    assertThat(e.batch()).isEqualTo("batch_x");
                    assertThat(e.clientRef()).isEqualTo("line-1");
                    assertThat(e.getMessage()).contains("wizard");
                });
    }

    @Test
    void aJobOfACancelledBatchCountsAsNotRun() throws Exception {
        assertThat(JobOutcome.of(mapper.readTree("{\"state\": \"succeeded\"}"))).isEqualTo(JobOutcome.SUCCEEDED);
        assertThat(JobOutcome.of(mapper.readTree("{\"state\": \"rejected\", \"error\": {\"code\": \"x\"}}")))
                .isEqualTo(JobOutcome.FAILED);
        assertThat(JobOutcome.of(mapper.readTree("{\"state\": \"expired\", \"error\": {\"code\": "
                + "\"deadline_exceeded\"}}"))).isEqualTo(JobOutcome.FAILED);
        assertThat(JobOutcome.of(mapper.readTree("{\"state\": \"expired\", \"error\": {\"code\": \""
                + JobCancellations.CANCELLED_CODE + "\"}}"))).isEqualTo(JobOutcome.CANCELLED);
    }

    @Test
    void readsTheProtobufForm() throws Exception {
        Job proto = Job.newBuilder().setId("p1").setPriority(-2).setRequest(ChatRequest.newBuilder().setModel("m")
                .setMaxTokens(7).addMessages(ChatMessage.newBuilder().setRole("user")
                        .addContent(ContentPart.newBuilder().setText("hello")))).build();
        JobEnvelope job = codec.decode(proto.toByteArray(), true, "key");
        assertThat(job.id()).isEqualTo("p1");
        assertThat(job.priority()).isEqualTo(-2);
        assertThat(job.request().maxTokens()).isEqualTo(7);
    }

    @Test
    void refusesPoisonWithAReasonAndTheIdWhenReadable() {
        assertThatThrownBy(() -> codec.decode(utf8("{not json"), false, "k1"))
                .isInstanceOfSatisfying(InvalidJobException.class, e -> {
                    assertThat(e.code()).isEqualTo("invalid_json");
                    assertThat(e.jobId()).isEqualTo("k1");
                });
        assertThatThrownBy(() -> codec.decode(new byte[] {1, 2, 3, (byte) 0xff}, true, "k2"))
                .isInstanceOfSatisfying(InvalidJobException.class, e -> assertThat(e.code())
                        .isEqualTo("invalid_protobuf"));
        assertThatThrownBy(() -> codec.decode(utf8("{\"id\": \"j\"}"), false, "k3"))
                .isInstanceOfSatisfying(InvalidJobException.class, e -> {
                    assertThat(e.getMessage()).contains("request");
                    assertThat(e.jobId()).isEqualTo("j");
                });
        assertThatThrownBy(() -> codec.decode(utf8("{\"id\": \"j\", \"request\": {\"model\": \"m\", \"messages\": []}}"),
                false, "k4")).isInstanceOf(InvalidJobException.class).hasMessageContaining("messages");
        assertThatThrownBy(() -> codec.decode(utf8("{\"id\": 5, \"request\": {}}"), false, "k5"))
                .isInstanceOfSatisfying(InvalidJobException.class, e -> assertThat(e.code()).isEqualTo("invalid_id"));
        assertThatThrownBy(() -> codec.decode(utf8("{\"deadline\": \"tomorrow\", \"request\": {}}"), false, "k6"))
                .isInstanceOfSatisfying(InvalidJobException.class, e -> assertThat(e.code())
                        .isEqualTo("invalid_deadline"));
        assertThatThrownBy(() -> codec.decode(new byte[0], false, "k7")).isInstanceOf(InvalidJobException.class);
    }

    @Test
    void normalizeFillsIdAndBatchAndKeepsTheRest() throws Exception {
        ObjectNode in = (ObjectNode) mapper.readTree("{\"client_ref\": \"r\", \"request\": {\"model\": \"m\", "
                + "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}}");
        ObjectNode out = codec.normalize(in, "batch-1");
        assertThat(out.get("id").asText()).startsWith("job-");
        assertThat(out.get("batch").asText()).isEqualTo("batch-1");
        assertThat(out.get("client_ref").asText()).isEqualTo("r");
        assertThat(in.has("id")).as("the input is left alone").isFalse();
        assertThatThrownBy(() -> codec.normalize(mapper.readTree("[1]"), "b")).isInstanceOf(InvalidJobException.class);
    }
}
