package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.testsupport.NeedsConformance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * OpenAI's files and batch APIs on the job queue, through a real KRaft broker, LLM service and gateway (API, batch
 * driver and job worker in one process): files stored, listed, read and deleted; a bad line refused with its line
 * number; a batch's output file holding the synchronous API's answers in input order and its error file the lines
 * that failed; a cancelled batch running none of its pending lines; the official npm client running a batch of 100;
 * and a batch finishing after its gateway was SIGKILLed mid-run and started again.
 */
@NeedsConformance
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BatchesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int MAX_FILE_BYTES = 256 * 1024;
    private static final int MAX_REQUESTS = 300;

    private static KafkaBrokerProcess broker;
    private static ServiceProcess llm;
    private static ServiceProcess gateway;
    private static int gatewayPort;
    private static Map<String, String> properties;

    @BeforeAll
    static void start() throws IOException {
        broker = KafkaBrokerProcess.start("batches-kafka");
        llm = ServiceProcess.start("batches-llm", "llm-service",
                Map.of("fovea.llm.model", LlmServiceProcess.modelPath().toString()));
        Path pipelines = Path.of("target").toAbsolutePath().resolve("batches-it-pipelines.yaml");
        Files.writeString(pipelines, "pipelines:\n  - model: llama-q8\n    llm: " + llm.address() + "\n");
        properties = new HashMap<>();
        properties.put("fovea.gateway.pipelines", pipelines.toString());
        properties.put("fovea.jobs.enabled", "true");
        properties.put("fovea.jobs.bootstrap-servers", broker.bootstrap());
        properties.put("fovea.jobs.partitions", "2");
        for (String topic : List.of("requests", "results", "dead-letter", "cancellations")) {
            properties.put("fovea.jobs." + topic + "-topic", "batches-it.jobs." + topic);
        }
        properties.put("fovea.jobs.worker.enabled", "true");
        properties.put("fovea.jobs.worker.id", "batches-it-worker");
        properties.put("fovea.jobs.worker.group", "batches-it-workers");
        properties.put("fovea.jobs.worker.session-timeout", "10s");
        properties.put("fovea.batches.files-topic", "batches-it.files");
        properties.put("fovea.batches.file-content-topic", "batches-it.files.content");
        properties.put("fovea.batches.batches-topic", "batches-it.batches");
        properties.put("fovea.batches.driver-group", "batches-it-drivers");
        properties.put("fovea.batches.driver-session-timeout", "6s");
        properties.put("fovea.batches.max-file-bytes", Integer.toString(MAX_FILE_BYTES));
        properties.put("fovea.batches.max-requests", Integer.toString(MAX_REQUESTS));
        gatewayPort = ServiceProcess.freePort();
        gateway = ServiceProcess.start("batches-gateway", "gateway", properties, gatewayPort);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {gateway, llm, broker}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    // ---- HTTP helpers

    private static String base() {
        return "http://127.0.0.1:" + gatewayPort;
    }

    private static GatewayHttp.Reply send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new GatewayHttp.Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(),
                r.headers().firstValue("X-Request-Id").orElse(null));
    }

    private static GatewayHttp.Reply get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base() + path)).GET());
    }

    private static GatewayHttp.Reply post(String path, String json) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static GatewayHttp.Reply delete(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base() + path)).DELETE());
    }

    /** {@code POST /v1/files} as multipart/form-data, the way OpenAI's clients send it. */
    private static GatewayHttp.Reply upload(String filename, byte[] content, String purpose) throws Exception {
        String boundary = "----fovea-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n" + purpose
                + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: application/jsonl\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(URI.create(base() + "/v1/files"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    private static String uploadOk(String jsonl) throws Exception {
        GatewayHttp.Reply r = upload("in.jsonl", jsonl.getBytes(StandardCharsets.UTF_8), "batch");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asText();
    }

    private static ObjectNode chat(String text, int maxTokens) {
        ObjectNode body = JSON.createObjectNode().put("model", "llama-q8").put("temperature", 0)
                .put("max_tokens", maxTokens);
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return body;
    }

    private static String line(String customId, JsonNode body) {
        ObjectNode line = JSON.createObjectNode().put("custom_id", customId).put("method", "POST")
                .put("url", "/v1/chat/completions");
        line.set("body", body);
        return line.toString();
    }

    private static String greedyLines(String prefix, int n, int maxTokens) {
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < n; i++) {
            jsonl.append(line(prefix + i, chat("Tell me about item " + i + " of " + prefix + ".", maxTokens)))
                    .append('\n');
        }
        return jsonl.toString();
    }

    private static JsonNode createBatch(String fileId) throws Exception {
        ObjectNode create = JSON.createObjectNode().put("input_file_id", fileId)
                .put("endpoint", "/v1/chat/completions").put("completion_window", "24h");
        create.putObject("metadata").put("suite", "BatchesIT");
        GatewayHttp.Reply r = post("/v1/batches", create.toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    /** The batch once its status is one of {@code statuses}, waiting at most {@code seconds}. */
    private static JsonNode awaitBatch(String id, Set<String> statuses, int seconds) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (true) {
            GatewayHttp.Reply r = get("/v1/batches/" + id);
            if (r.status() == 200 && statuses.contains(r.json().path("status").asText())) {
                return r.json();
            }
            assertThat(System.nanoTime()).as("batch %s %s within %d s; last: %s", id, statuses, seconds, r.body())
                    .isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private static List<JsonNode> jsonl(String fileId) throws Exception {
        GatewayHttp.Reply r = get("/v1/files/" + fileId + "/content");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<JsonNode> lines = new ArrayList<>();
        for (String l : r.body().split("\n")) {
            if (!l.isBlank()) {
                lines.add(JSON.readTree(l));
            }
        }
        return lines;
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.path("data").forEach(d -> ids.add(d.path("id").asText()));
        return ids;
    }

    // ---- tests

    @Test
    @Order(1)
    void filesAreStoredListedReadAndDeleted() throws Exception {
        String jsonl = greedyLines("f", 2, 2);
        GatewayHttp.Reply up = upload("input.jsonl", jsonl.getBytes(StandardCharsets.UTF_8), "batch");
        assertThat(up.status()).as(up.body()).isEqualTo(200);
        JsonNode file = up.json();
        String id = file.path("id").asText();
        assertThat(id).startsWith("file-");
        assertThat(file.path("object").asText()).isEqualTo("file");
        assertThat(file.path("bytes").asLong()).isEqualTo(jsonl.getBytes(StandardCharsets.UTF_8).length);
        assertThat(file.path("filename").asText()).isEqualTo("input.jsonl");
        assertThat(file.path("purpose").asText()).isEqualTo("batch");
        assertThat(file.path("status").asText()).isEqualTo("processed");

        assertThat(get("/v1/files/" + id).json()).isEqualTo(file);
        GatewayHttp.Reply content = get("/v1/files/" + id + "/content");
        assertThat(content.status()).isEqualTo(200);
        assertThat(content.body()).isEqualTo(jsonl);

        String second = uploadOk(greedyLines("g", 1, 2));
        JsonNode page = get("/v1/files?purpose=batch&limit=1").json();
        assertThat(page.path("object").asText()).isEqualTo("list");
        assertThat(ids(page)).containsExactly(second);
        assertThat(page.path("has_more").asBoolean()).isTrue();
        assertThat(ids(get("/v1/files?purpose=batch&limit=1&after=" + second).json())).containsExactly(id);
        assertThat(ids(get("/v1/files?purpose=batch_output").json())).doesNotContain(id, second);

        GatewayHttp.Reply deleted = delete("/v1/files/" + id);
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
        assertThat(deleted.json().path("deleted").asBoolean()).isTrue();
        HostileReplies.error(get("/v1/files/" + id), 404, id);
        HostileReplies.error(get("/v1/files/" + id + "/content"), 404, id);
        assertThat(ids(get("/v1/files").json())).doesNotContain(id).contains(second);
    }

    @Test
    @Order(2)
    void badFilesAre400NamingTheLineAndNothingIsStored() throws Exception {
        record Case(String named, String jsonl, String purpose, int status) {
        }
        String ok = line("ok", chat("Hi", 2));
        List<Case> cases = List.of(
                new Case("line 2", ok + "\n{\"custom_id\": \"x\", \"method\": \n", "batch", 400),
                new Case("'/v1/embeddings'", ok + "\n" + ok.replace("\"ok\"", "\"b\"") + "\n"
                        + line("c", chat("Hi", 2)).replace("/v1/chat/completions", "/v1/embeddings"), "batch", 400),
                new Case("line 2: method", ok + "\n" + line("b", chat("Hi", 2)).replace("POST", "GET"), "batch", 400),
                new Case("line 2: custom_id", ok + "\n" + line("b", chat("Hi", 2)).replace("custom_id", "id"),
                        "batch", 400),
                new Case("line 3: custom_id 'ok'", ok + "\n\n" + ok, "batch", 400),
                new Case("line 1: body", "{\"custom_id\": \"a\", \"method\": \"POST\", \"url\": "
                        + "\"/v1/chat/completions\", \"body\": \"hi\"}", "batch", 400),
                new Case("line 1 must be a JSON object", "[1, 2]", "batch", 400),
                new Case("no requests", "\n\n", "batch", 400),
                new Case("purpose", ok, "fine-tune", 400),
                new Case("max-requests", greedyLines("many", MAX_REQUESTS + 1, 1), "batch", 400),
                new Case("max-file-bytes", ok + "\n" + "{\"x\": \"" + "a".repeat(MAX_FILE_BYTES) + "\"}", "batch",
                        413));
        int before = get("/v1/files").json().path("data").size();
        for (Case c : cases) {
            GatewayHttp.Reply r = upload("bad.jsonl", c.jsonl().getBytes(StandardCharsets.UTF_8), c.purpose());
            HostileReplies.error(r, c.status(), c.named());
        }
        HostileReplies.error(post("/v1/files", "{\"file\": \"x\"}"), 400, "multipart/form-data");
        assertThat(get("/v1/files").json().path("data").size()).isEqualTo(before);
        // and the next good upload is served
        uploadOk(ok);
    }

    @Test
    @Order(3)
    void aBatchWritesTheAnswersInInputOrderAndTheFailedLinesToTheErrorFile() throws Exception {
        ObjectNode wizard = chat("Hi", 2);
        ((ObjectNode) wizard.get("messages").get(0)).put("role", "wizard");
        ObjectNode noModel = chat("Hi", 2).put("model", "no-such-model");
        String jsonl = String.join("\n", line("ok-0", chat("Name a colour.", 4)), line("ok-1", chat("Name a fruit.", 4)),
                line("wizard", wizard), line("ok-2", chat("Name a tree.", 4)), line("no-model", noModel),
                line("ok-3", chat("Name a river.", 4))) + "\n";
        String fileId = uploadOk(jsonl);
        JsonNode created = createBatch(fileId);
        String id = created.path("id").asText();
        assertThat(id).startsWith("batch_");
        assertThat(created.path("object").asText()).isEqualTo("batch");
        assertThat(created.path("status").asText()).isEqualTo("validating");
        assertThat(created.path("input_file_id").asText()).isEqualTo(fileId);
        assertThat(created.path("completion_window").asText()).isEqualTo("24h");
        assertThat(created.path("metadata").path("suite").asText()).isEqualTo("BatchesIT");
        assertThat(created.path("expires_at").asLong() - created.path("created_at").asLong()).isEqualTo(24 * 3600);

        JsonNode done = awaitBatch(id, Set.of("completed", "failed", "cancelled", "expired"), 180);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("completed");
        assertThat(done.path("request_counts").path("total").asInt()).isEqualTo(6);
        assertThat(done.path("request_counts").path("completed").asInt()).isEqualTo(4);
        assertThat(done.path("request_counts").path("failed").asInt()).isEqualTo(2);
        for (String t : List.of("in_progress_at", "finalizing_at", "completed_at")) {
            assertThat(done.path(t).isIntegralNumber()).as(t + " in " + done).isTrue();
        }

        List<JsonNode> output = jsonl(done.path("output_file_id").asText());
        assertThat(output.stream().map(l -> l.path("custom_id").asText()).toList())
                .containsExactly("ok-0", "ok-1", "ok-2", "ok-3");
        Map<String, String> sync = new HashMap<>();
        for (String[] c : new String[][] {{"ok-0", "Name a colour."}, {"ok-3", "Name a river."}}) {
            GatewayHttp.Reply r = post("/v1/chat/completions", chat(c[1], 4).toString());
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            sync.put(c[0], r.json().path("choices").path(0).path("message").path("content").asText());
        }
        for (JsonNode l : output) {
            assertThat(l.path("id").asText()).startsWith("batch_req_");
            assertThat(l.path("error").isNull()).isTrue();
            assertThat(l.path("response").path("status_code").asInt()).isEqualTo(200);
            assertThat(l.path("response").path("request_id").asText()).startsWith("req_");
            JsonNode body = l.path("response").path("body");
            assertThat(body.path("object").asText()).isEqualTo("chat.completion");
            String custom = l.path("custom_id").asText();
            if (sync.containsKey(custom)) {
                assertThat(body.path("choices").path(0).path("message").path("content").asText())
                        .isEqualTo(sync.get(custom));
            }
        }

        List<JsonNode> errors = jsonl(done.path("error_file_id").asText());
        assertThat(errors.stream().map(l -> l.path("custom_id").asText()).toList())
                .containsExactly("wizard", "no-model");
        assertThat(errors.get(0).path("response").isNull()).isTrue();
        assertThat(errors.get(0).path("error").path("message").asText()).contains("wizard");
        assertThat(errors.get(1).path("error").path("code").asText()).isEqualTo("model_not_found");
        assertThat(get("/v1/files/" + done.path("output_file_id").asText()).json().path("purpose").asText())
                .isEqualTo("batch_output");

        assertThat(ids(get("/v1/batches?limit=100").json())).contains(id);
        JsonNode first = get("/v1/batches?limit=1").json();
        assertThat(first.path("data").size()).isEqualTo(1);
        // the jobs are ordinary jobs of the queue, under the batch's id
        assertThat(get("/v1/jobs?batch=" + id).json().path("completed").asInt()).isEqualTo(6);
    }

    @Test
    @Order(4)
    void badBatchRequestsAre4xxNamingTheField() throws Exception {
        String fileId = uploadOk(line("a", chat("Hi", 2)));
        record Case(String named, String body, int status) {
        }
        ObjectNode good = JSON.createObjectNode().put("input_file_id", fileId).put("endpoint", "/v1/chat/completions")
                .put("completion_window", "24h");
        ObjectNode manyKeys = good.deepCopy();
        ObjectNode metadata = manyKeys.putObject("metadata");
        for (int i = 0; i < 17; i++) {
            metadata.put("k" + i, "v");
        }
        List<Case> cases = List.of(
                new Case("endpoint", good.deepCopy().put("endpoint", "/v1/embeddings").toString(), 400),
                new Case("completion_window", good.deepCopy().put("completion_window", "1h").toString(), 400),
                new Case("input_file_id", good.deepCopy().without("input_file_id").toString(), 400),
                new Case("file-nope", good.deepCopy().put("input_file_id", "file-nope").toString(), 404),
                new Case("metadata", manyKeys.toString(), 400),
                new Case("metadata", good.deepCopy().put("metadata", "x").toString(), 400),
                new Case("JSON", "{\"input_file_id\": ", 400));
        for (Case c : cases) {
            HostileReplies.error(post("/v1/batches", c.body()), c.status(), c.named());
        }
        HostileReplies.error(get("/v1/batches/batch_nope"), 404, "batch_nope");
        HostileReplies.error(post("/v1/batches/batch_nope/cancel", ""), 404, "batch_nope");
        HostileReplies.error(get("/v1/batches?limit=0"), 400, "limit");
        HostileReplies.error(get("/v1/batches?after=batch_nope"), 400, "after");
    }

    @Test
    @Order(5)
    void aBatchCancelledBeforeItStartsRunsNothing() throws Exception {
        String id = createBatch(uploadOk(greedyLines("v", 50, 8))).path("id").asText();
        GatewayHttp.Reply cancel = post("/v1/batches/" + id + "/cancel", "");
        assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
        assertThat(cancel.json().path("status").asText()).isEqualTo("cancelling");
        assertThat(cancel.json().path("cancelling_at").isIntegralNumber()).isTrue();
        JsonNode done = awaitBatch(id, Set.of("completed", "failed", "cancelled", "expired"), 120);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("cancelled");
        // its driver saw the cancellation before queueing the lines, or the workers skip every line not yet started
        assertThat(done.path("request_counts").path("total").asInt()).isIn(0, 50);
        assertThat(done.path("request_counts").path("failed").asInt()).isZero();
        assertThat(done.path("cancelled_at").isIntegralNumber()).isTrue();
        HostileReplies.error(post("/v1/batches/" + id + "/cancel", ""), 409, "cancelled");
    }

    @Test
    @Order(6)
    void aBatchCancelledMidRunRunsNoPendingLineAndKeepsWhatFinished() throws Exception {
        int n = 200;
        String id = createBatch(uploadOk(greedyLines("c", n, 24))).path("id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (get("/v1/batches/" + id).json().path("request_counts").path("completed").asInt() == 0) {
            assertThat(System.nanoTime()).as("a first answer within 120 s").isLessThan(deadline);
            Thread.sleep(100);
        }
        GatewayHttp.Reply cancel = post("/v1/batches/" + id + "/cancel", "");
        assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
        assertThat(cancel.json().path("status").asText()).isEqualTo("cancelling");

        JsonNode done = awaitBatch(id, Set.of("completed", "failed", "cancelled", "expired"), 180);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("cancelled");
        assertThat(done.path("request_counts").path("total").asInt()).isEqualTo(n);
        int completed = done.path("request_counts").path("completed").asInt();
        assertThat(completed).as("the lines that had started finished; most never ran").isBetween(1, n / 2);
        assertThat(done.path("request_counts").path("failed").asInt()).isZero();
        assertThat(done.path("error_file_id").isNull()).isTrue();
        List<JsonNode> output = jsonl(done.path("output_file_id").asText());
        assertThat(output).hasSize(completed);
        assertThat(output).allSatisfy(l -> assertThat(l.path("response").path("status_code").asInt()).isEqualTo(200));
        // every other line ended unstarted, and none runs later
        Thread.sleep(1000);
        JsonNode jobs = get("/v1/jobs?batch=" + id).json();
        assertThat(jobs.path("completed").asInt()).isEqualTo(n);
        List<String> states = jobs.path("data").findValuesAsText("state");
        assertThat(states.stream().filter("succeeded"::equals).count()).isEqualTo(completed);
        assertThat(states.stream().filter("expired"::equals).count()).isEqualTo(n - completed);
        assertThat(jobs.path("data").findValuesAsText("code")).containsOnly("batch_cancelled");
    }

    @Test
    @Order(7)
    void theOfficialClientRunsABatchOf100WithTheSynchronousAnswers() throws Exception {
        Path work = NodeClient.prepare();
        NodeClient.Run run = NodeClient.run(work, 900, "node", "batch.mjs", base() + "/v1", "llama-q8", "100");
        assertThat(run.exit()).as(run.output()).isEqualTo(0);
        JsonNode r = JSON.readTree(run.lastLine());
        assertThat(r.path("file").path("purpose").asText()).isEqualTo("batch");
        assertThat(r.path("created").asText()).isEqualTo("validating");
        JsonNode batch = r.path("batch");
        assertThat(batch.path("status").asText()).as(batch.toString()).isEqualTo("completed");
        assertThat(batch.path("request_counts").path("total").asInt()).isEqualTo(100);
        assertThat(batch.path("request_counts").path("completed").asInt()).isEqualTo(100);
        assertThat(batch.path("request_counts").path("failed").asInt()).isZero();
        assertThat(batch.path("error_file_id").isNull()).isTrue();
        assertThat(batch.path("metadata").path("test").asText()).isEqualTo("node");
        assertThat(r.path("listed").asBoolean()).isTrue();
        JsonNode batchAnswers = r.path("batchAnswers");
        JsonNode syncAnswers = r.path("syncAnswers");
        assertThat(batchAnswers.size()).isEqualTo(100);
        assertThat(syncAnswers.size()).isEqualTo(100);
        for (Iterator<String> it = syncAnswers.fieldNames(); it.hasNext(); ) {
            String customId = it.next();
            assertThat(batchAnswers.path(customId)).as(customId).isEqualTo(syncAnswers.path(customId));
        }
    }

    @Test
    @Order(8)
    void aBatchFinishesAfterItsGatewayIsKilledMidRun() throws Exception {
        int n = 40;
        String fileId = uploadOk(greedyLines("r", n, 16));
        String id = createBatch(fileId).path("id").asText();
        awaitBatch(id, Set.of("in_progress", "finalizing", "completed"), 60);
        int listedBefore = get("/v1/batches?limit=100").json().path("data").size();

        gateway.kill();
        gateway = ServiceProcess.start("batches-gateway", "gateway", properties, gatewayPort);

        JsonNode done = awaitBatch(id, Set.of("completed", "failed", "cancelled", "expired"), 300);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("completed");
        assertThat(done.path("request_counts").path("completed").asInt()).isEqualTo(n);
        List<JsonNode> output = jsonl(done.path("output_file_id").asText());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add("r" + i);
        }
        assertThat(output.stream().map(l -> l.path("custom_id").asText()).toList()).isEqualTo(expected);
        Set<String> distinct = new HashSet<>(output.stream().map(l -> l.path("id").asText()).toList());
        assertThat(distinct).hasSize(n);
        // what was stored before the crash is all still there
        assertThat(get("/v1/batches?limit=100").json().path("data").size()).isEqualTo(listedBefore);
        assertThat(get("/v1/files/" + fileId).status()).isEqualTo(200);
        assertThat(get("/v1/files/" + fileId + "/content").body()).isEqualTo(greedyLines("r", n, 16));
    }
}
