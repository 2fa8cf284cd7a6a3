package dev.fovea.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.shapesworld.TestQuestion;
import dev.fovea.shapesworld.TestSet;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code --via kafka}: every question as a job on a running stack's Kafka queue ({@code POST /v1/jobs}, JSONL, in
 * submissions of at most {@link #MAX_SUBMISSION_BYTES}), then {@code GET /v1/jobs?batch=…} until each job has its
 * result. Job ids are the batch id plus the question's position, so a rerun never reuses an earlier run's results.
 */
final class JobsEvalBackend implements EvalBackend {
    /** Well under the gateway's default body limit (32 MiB), since images travel inside the jobs as data URLs. */
    static final int MAX_SUBMISSION_BYTES = 8 << 20;
    /** The gateway's default limit on jobs per submission. */
    static final int MAX_SUBMISSION_JOBS = 10_000;
    private static final Duration POLL = Duration.ofMillis(250);

    private final String gateway;
    private final String model;
    private final int maxTokens;
    private final Duration timeout;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    JobsEvalBackend(String gateway, String model, int maxTokens, Duration timeout) {
        this.gateway = gateway.replaceAll("/+$", "");
        this.model = model;
        this.maxTokens = maxTokens;
        this.timeout = timeout;
    }

    @Override
    public String model() {
        return model;
    }

    @Override
    public List<String> answers(TestSet set, ConsoleProgress progress) throws Exception {
        List<TestQuestion> questions = set.questions();
        String batch = "eval-" + UUID.randomUUID();
        StringBuilder jsonl = new StringBuilder();
        int inSubmission = 0;
        for (int i = 0; i < questions.size(); i++) {
            TestQuestion q = questions.get(i);
            ObjectNode job = Json.mapper().createObjectNode();
            job.put("id", batch + "-" + i);
            job.put("client_ref", q.id());
            job.set("request", ChatRequests.imageQuestion(model, set.imageFile(q), q.question(), maxTokens));
            String line = job + "\n";
            if (inSubmission > 0 && (jsonl.length() + line.length() > MAX_SUBMISSION_BYTES
                    || inSubmission == MAX_SUBMISSION_JOBS)) {
                submit(batch, jsonl.toString());
                jsonl.setLength(0);
                inSubmission = 0;
            }
            jsonl.append(line);
            inSubmission++;
        }
        submit(batch, jsonl.toString());

        long deadline = System.nanoTime() + timeout.toNanos();
        progress.update("eval", 0, questions.size());
        while (true) {
            JsonNode status = get("/v1/jobs?batch=" + batch);
            int completed = status.path("completed").asInt();
            progress.update("eval", Math.min(completed, questions.size()), questions.size());
            if (completed >= questions.size()) {
                return collect(batch, status.path("data"), questions);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + completed + " of " + questions.size() + " jobs finished within "
                        + timeout.toSeconds() + " s (batch " + batch + ")");
            }
            Thread.sleep(POLL);
        }
    }

    /** The answers in question order; a job that did not succeed fails the run with its error. */
    private static List<String> collect(String batch, JsonNode results, List<TestQuestion> questions) {
        Map<String, JsonNode> byId = new HashMap<>();
        for (JsonNode r : results) {
            byId.put(r.path("id").asText(), r);
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < questions.size(); i++) {
            JsonNode r = byId.get(batch + "-" + i);
            if (r == null) {
                throw new IllegalStateException("no result for job " + batch + "-" + i);
            }
            if (!r.path("state").asText().equals("succeeded")) {
                throw new IllegalStateException("job for question " + questions.get(i).id() + " ended "
                        + r.path("state").asText() + ": " + ChatRequests.abbreviate(r.path("error").toString()));
            }
            out.add(ChatRequests.answer(r.path("response")));
        }
        return out;
    }

    private void submit(String batch, String jsonl) throws Exception {
        HttpResponse<String> r = send(GatewayRequests.to(gateway + "/v1/jobs?batch=" + batch)
                .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/jsonl")
                .POST(HttpRequest.BodyPublishers.ofString(jsonl)).build());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("POST /v1/jobs answered " + r.statusCode() + ": "
                    + ChatRequests.abbreviate(r.body()));
        }
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = send(GatewayRequests.to(gateway + path)
                .timeout(Duration.ofSeconds(30)).GET().build());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + ": "
                    + ChatRequests.abbreviate(r.body()));
        }
        return Json.mapper().readTree(r.body());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new IllegalStateException("no gateway answers at " + gateway + " (start the stack with `bin/fovea up`;"
                    + " jobs need its Kafka broker, so not --no-kafka)");
        }
    }
}
