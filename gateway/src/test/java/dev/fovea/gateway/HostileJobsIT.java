package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.proto.v1.ChatMessage;
import dev.fovea.proto.v1.ChatRequest;
import dev.fovea.proto.v1.ContentPart;
import dev.fovea.proto.v1.GetJobRequest;
import dev.fovea.proto.v1.Job;
import dev.fovea.proto.v1.JobServiceGrpc;
import dev.fovea.proto.v1.SubmitJobsRequest;
import dev.fovea.testsupport.NeedsConformance;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile jobs (issue 18) through a real broker, LLM service and gateway (API and worker in one process): invalid
 * submissions are 400 / INVALID_ARGUMENT naming the field or limit; a job the gateway or a backend refuses ends
 * {@code rejected} on its first attempt; a job retrying a backend that is away delays no other job's result.
 */
@NeedsConformance
class HostileJobsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static KafkaBrokerProcess broker;
    private static ServiceProcess llm;
    private static ServiceProcess gateway;
    private static ManagedChannel channel;
    private static JobServiceGrpc.JobServiceBlockingStub jobs;

    @BeforeAll
    static void start() throws IOException {
        broker = KafkaBrokerProcess.start("hostile-kafka");
        llm = ServiceProcess.start("hostile-jobs-llm", "llm-service",
                Map.of("fovea.llm.model", LlmServiceProcess.modelPath().toString()));
        Path pipelines = Path.of("target").toAbsolutePath().resolve("hostile-jobs-pipelines.yaml");
        // vlm-away's encoder and adapter never answer: its image jobs fail transiently (UNAVAILABLE) and keep
        // retrying (encoders do not decide the gateway's readiness, so it starts)
        Files.writeString(pipelines, "pipelines:\n  - model: llama-q8\n    llm: " + llm.address() + "\n"
                + "  - model: vlm-away\n    llm: " + llm.address() + "\n    encoders:\n      - name: clip\n"
                + "        replicas: [127.0.0.1:" + ServiceProcess.freePort() + "]\n"
                + "    adapter: {id: clip-mlp, address: 127.0.0.1:" + ServiceProcess.freePort() + "}\n");
        Map<String, String> p = new HashMap<>();
        p.put("fovea.gateway.pipelines", pipelines.toString());
        p.put("fovea.jobs.enabled", "true");
        p.put("fovea.jobs.bootstrap-servers", broker.bootstrap());
        p.put("fovea.jobs.requests-topic", "hostile.jobs.requests");
        p.put("fovea.jobs.results-topic", "hostile.jobs.results");
        p.put("fovea.jobs.dead-letter-topic", "hostile.jobs.dead-letter");
        // one partition: every job queues behind the ones before it
        p.put("fovea.jobs.partitions", "1");
        p.put("fovea.jobs.worker.enabled", "true");
        p.put("fovea.jobs.worker.id", "hostile-worker");
        p.put("fovea.jobs.worker.group", "hostile-workers");
        p.put("fovea.jobs.worker.retry-initial-backoff", "200ms");
        p.put("fovea.jobs.worker.retry-max-backoff", "1s");
        p.put("fovea.jobs.worker.max-attempts", "100000");
        gateway = ServiceProcess.start("hostile-jobs-gateway", "gateway", p);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
        jobs = JobServiceGrpc.newBlockingStub(channel);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        for (AutoCloseable c : new AutoCloseable[] {gateway, llm}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static ObjectNode request(String model, Long maxTokens) {
        ObjectNode r = JSON.createObjectNode().put("model", model).put("temperature", 0);
        r.putArray("messages").addObject().put("role", "user").put("content", "Name three colors of the sky.");
        if (maxTokens != null) {
            r.put("max_tokens", maxTokens);
        }
        return r;
    }

    private static ObjectNode imageRequest() throws IOException {
        Path png = Path.of(System.getProperty("fovea.shared.dir"), "conformance", "images", "shapes56.png");
        ObjectNode r = JSON.createObjectNode().put("model", "vlm-away").put("max_tokens", 2);
        var content = r.putArray("messages").addObject().put("role", "user").putArray("content");
        content.addObject().put("type", "text").put("text", "What is this?");
        content.addObject().put("type", "image_url").putObject("image_url").put("url", "data:image/png;base64,"
                + java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(png)));
        return r;
    }

    private static ObjectNode job(String id, ObjectNode request) {
        ObjectNode job = JSON.createObjectNode().put("id", id);
        job.set("request", request);
        return job;
    }

    private static GatewayHttp.Reply post(String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + gateway.address() + path))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return new GatewayHttp.Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(),
                r.headers().firstValue("X-Request-Id").orElse(null));
    }

    /** The job's state once it has a result, waiting at most {@code seconds}. */
    private static JsonNode awaitResult(String id, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + gateway.address()
                    + "/v1/jobs/" + id)).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode j = JSON.readTree(r.body());
            if (r.statusCode() == 200 && !j.path("state").asText().equals("queued")) {
                return j;
            }
            assertThat(System.nanoTime()).as("a result for %s within %d s; last: %s", id, seconds, r.body())
                    .isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private static String state(String id) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + gateway.address()
                + "/v1/jobs/" + id)).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path("state").asText();
    }

    @Test
    void invalidJobsAreRejectedOnTheFirstAttemptAndDelayNoOther() throws Exception {
        // one partition, in this order: a job retrying an absent backend, two a check refuses at run time, a valid one
        StringBuilder jsonl = new StringBuilder();
        jsonl.append(job("away-1", imageRequest())).append('\n');
        jsonl.append(job("huge-1", request("llama-q8", 1_000_000_000L))).append('\n');
        jsonl.append(job("huge-2", request("llama-q8", (long) Integer.MAX_VALUE))).append('\n');
        jsonl.append(job("ok-1", request("llama-q8", 2L))).append('\n');
        GatewayHttp.Reply accepted = post("/v1/jobs?batch=hostile", jsonl.toString());
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);

        for (String id : new String[] {"huge-1", "huge-2"}) {
            JsonNode r = awaitResult(id, 60);
            assertThat(r.path("state").asText()).as(r.toString()).isEqualTo("rejected");
            assertThat(r.path("attempts").asInt()).as(r.toString()).isEqualTo(1);
            assertThat(r.toString()).contains("context length");
            HostileReplies.noInternals(r.toString());
        }
        JsonNode ok = awaitResult("ok-1", 60);
        assertThat(ok.path("state").asText()).as(ok.toString()).isEqualTo("succeeded");
        // the job ahead of them is still retrying: their results did not wait for it
        assertThat(state("away-1")).isEqualTo("queued");
    }

    @Test
    void invalidSubmissionsAre400NamingTheField() throws Exception {
        record Case(String named, String body, String query) {
        }
        ObjectNode priority = job("p-1", request("llama-q8", 2L)).put("priority", 1.5);
        ObjectNode batch = job("b-1", request("llama-q8", 2L)).put("batch", "b".repeat(10_000));
        ObjectNode clientRef = job("c-1", request("llama-q8", 2L)).put("client_ref", "c".repeat(10_000));
        ObjectNode role = job("r-1", request("llama-q8", 2L));
        ((ObjectNode) role.get("request").get("messages").get(0)).put("role", "wizard");
        ObjectNode n = job("n-1", request("llama-q8", 2L));
        ((ObjectNode) n.get("request")).put("n", "1");
        ObjectNode negative = job("m-1", request("llama-q8", -1L));
        ObjectNode longId = job("i".repeat(10_000), request("llama-q8", 2L));
        Case[] cases = {
            new Case("priority", priority.toString(), ""), new Case("batch", batch.toString(), ""),
            new Case("client_ref", clientRef.toString(), ""), new Case("role", role.toString(), ""),
            new Case("n", n.toString(), ""), new Case("max_tokens", negative.toString(), ""),
            new Case("id", longId.toString(), ""),
            new Case("batch", job("q-1", request("llama-q8", 2L)).toString(),
                    "?batch=" + URLEncoder.encode("q".repeat(1000), StandardCharsets.UTF_8)),
            new Case("JSON", "{\"id\": NaN}", ""),
        };
        for (Case c : cases) {
            GatewayHttp.Reply r = post("/v1/jobs" + c.query(), c.body());
            HostileReplies.error(r, 400, c.named());
        }
        // and a valid job after them still runs
        assertThat(post("/v1/jobs", job("after-400s", request("llama-q8", 2L)).toString()).status()).isEqualTo(202);
        assertThat(awaitResult("after-400s", 60).path("state").asText()).isEqualTo("succeeded");
    }

    private static Job.Builder grpcJob(String id, int maxTokens, String role) {
        return Job.newBuilder().setId(id).setRequest(ChatRequest.newBuilder().setModel("llama-q8").setTemperature(0)
                .setMaxTokens(maxTokens).addMessages(ChatMessage.newBuilder().setRole(role)
                        .addContent(ContentPart.newBuilder().setText("Name three colors of the sky."))));
    }

    private static void invalid(Runnable call, String named) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(e).as(named).isNotNull();
        assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).contains(named);
        HostileReplies.noInternals(e.getStatus().getDescription());
    }

    @Test
    void grpcJobsWithHostileFields() throws Exception {
        JobServiceGrpc.JobServiceBlockingStub stub = jobs.withDeadlineAfter(30, TimeUnit.SECONDS);
        invalid(() -> stub.getJob(GetJobRequest.newBuilder().setId("x".repeat(100_000)).build()), "256");
        invalid(() -> stub.submitJobs(SubmitJobsRequest.newBuilder().addJobs(grpcJob("g-neg", -1, "user")).build()),
                "max_tokens");
        invalid(() -> stub.submitJobs(SubmitJobsRequest.newBuilder().addJobs(grpcJob("g-role", 2, "wizard")).build()),
                "'wizard' is not a role");
        invalid(() -> stub.submitJobs(SubmitJobsRequest.newBuilder().setBatch("b".repeat(10_000))
                .addJobs(grpcJob("g-batch", 2, "user")).build()), "batch");
        invalid(() -> stub.submitJobs(SubmitJobsRequest.newBuilder()
                .addJobs(grpcJob("g-ref", 2, "user").setClientRef("c".repeat(10_000))).build()), "client_ref");

        stub.submitJobs(SubmitJobsRequest.newBuilder().addJobs(grpcJob("g-huge", Integer.MAX_VALUE, "user"))
                .addJobs(grpcJob("g-ok", 2, "user")).build());
        JsonNode huge = awaitResult("g-huge", 60);
        assertThat(huge.path("state").asText()).as(huge.toString()).isEqualTo("rejected");
        assertThat(huge.path("attempts").asInt()).isEqualTo(1);
        assertThat(awaitResult("g-ok", 60).path("state").asText()).isEqualTo("succeeded");
    }
}
