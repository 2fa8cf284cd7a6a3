package dev.fovea.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The same N chat requests two ways against a running stack ({@code fovea up}): synchronously over HTTP with C
 * clients at a time, and as one batch of Kafka jobs (POST /v1/jobs, then GET /v1/jobs?batch=… until every result is
 * there). Reports requests per second for each. Prompts differ between the two runs, so neither gains from the
 * other's prefix cache.
 */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = "Jobs/s through Kafka vs the same requests over HTTP, against a running gateway.")
final class BenchJobsCommand implements Callable<Integer> {
    @Option(names = "--gateway", defaultValue = "http://127.0.0.1:8080", description = "Gateway URL (default: ${DEFAULT-VALUE}).")
    String gateway;

    @Option(names = "--model", defaultValue = ShapesWorldModel.ID, description = "Model id (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "-n", defaultValue = "200", description = "Requests per run (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--concurrency", defaultValue = "8", description = "HTTP clients at a time (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--max-tokens", defaultValue = "8", description = "Completion tokens per request (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--timeout", defaultValue = "900", description = "Seconds to wait for each run (default: ${DEFAULT-VALUE}).")
    int timeout;

    @Option(names = "--chart", description = "Also draw the result as an SVG bar chart into this file.")
    Path chart;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    private final ObjectMapper mapper = Json.mapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    public Integer call() throws Exception {
        String base = gateway.replaceAll("/+$", "");
        for (int i = 0; i < 4; i++) {
            chat(base, "warm-up " + i); // JIT, connections, the template
        }
        double[] httpLatencies = new double[n];
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, concurrency))) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                all.add(pool.submit(() -> {
                    long s = System.nanoTime();
                    chat(base, "http " + k);
                    httpLatencies[k] = (System.nanoTime() - s) / 1e6;
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        }
        double httpSeconds = (System.nanoTime() - t0) / 1e9;

        String batch = "bench-" + UUID.randomUUID();
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < n; i++) {
            ObjectNode job = mapper.createObjectNode();
            job.put("id", batch + "-" + i);
            job.set("request", request("kafka " + i));
            jsonl.append(job).append('\n');
        }
        long t1 = System.nanoTime();
        HttpResponse<String> submitted = http.send(GatewayRequests.to(base + "/v1/jobs?batch=" + batch)
                .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/jsonl")
                .POST(HttpRequest.BodyPublishers.ofString(jsonl.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (submitted.statusCode() != 202) {
            throw new IllegalStateException("POST /v1/jobs answered " + submitted.statusCode() + ": " + submitted.body());
        }
        long deadline = t1 + Duration.ofSeconds(timeout).toNanos();
        int completed = 0;
        int succeeded = 0;
        while (completed < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + completed + " of " + n + " jobs finished within " + timeout + " s");
            }
            Thread.sleep(100);
            JsonNode status = get(base + "/v1/jobs?batch=" + batch);
            completed = status.path("completed").asInt();
            succeeded = 0;
            for (JsonNode r : status.path("data")) {
                succeeded += r.path("state").asText().equals("succeeded") ? 1 : 0;
            }
        }
        double kafkaSeconds = (System.nanoTime() - t1) / 1e9;
        if (succeeded != n) {
            throw new IllegalStateException((n - succeeded) + " of " + n + " jobs did not succeed");
        }

        Arrays.sort(httpLatencies);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requests", n);
        out.put("max_tokens", maxTokens);
        out.put("http_concurrency", concurrency);
        out.put("http_seconds", round(httpSeconds));
        out.put("http_requests_per_s", round(n / httpSeconds));
        out.put("http_p50_ms", round(httpLatencies[n / 2]));
        out.put("kafka_seconds", round(kafkaSeconds));
        out.put("kafka_jobs_per_s", round(n / kafkaSeconds));
        out.put("kafka_vs_http", round((n / kafkaSeconds) / (n / httpSeconds)));
        if (json) {
            System.out.println(Json.write(out));
        } else {
            System.out.printf(Locale.ROOT, "HTTP  (%d clients): %d requests in %.1f s = %.2f req/s (p50 %.0f ms)%n",
                    concurrency, n, httpSeconds, n / httpSeconds, httpLatencies[n / 2]);
            System.out.printf(Locale.ROOT, "Kafka (one batch):  %d jobs in %.1f s = %.2f jobs/s (%.2fx HTTP)%n",
                    n, kafkaSeconds, n / kafkaSeconds, (n / kafkaSeconds) / (n / httpSeconds));
        }
        if (chart != null) {
            BarChartSvg.write(chart, "Fovea: " + n + " chat requests, " + maxTokens + " tokens each", "requests per second",
                    List.of(new BarChartSvg.Bar("HTTP, " + concurrency + " clients", n / httpSeconds,
                                    String.format(Locale.ROOT, "%.2f req/s", n / httpSeconds)),
                            new BarChartSvg.Bar("Kafka jobs", n / kafkaSeconds,
                                    String.format(Locale.ROOT, "%.2f jobs/s", n / kafkaSeconds))));
            System.err.println("chart: " + chart);
        }
        return 0;
    }

    private ObjectNode request(String tag) {
        ObjectNode r = mapper.createObjectNode();
        r.put("model", model);
        ObjectNode m = r.putArray("messages").addObject();
        m.put("role", "user");
        m.put("content", "[" + tag + "] Describe a quiet harbour at dawn.");
        r.put("max_tokens", maxTokens);
        r.put("temperature", 0);
        return r;
    }

    private void chat(String base, String tag) throws Exception {
        HttpResponse<String> r = http.send(GatewayRequests.to(base + "/v1/chat/completions")
                .timeout(Duration.ofSeconds(timeout)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request(tag).toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("chat completion answered " + r.statusCode() + ": " + r.body());
        }
    }

    private JsonNode get(String url) throws Exception {
        HttpResponse<String> r = http.send(GatewayRequests.to(url).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return mapper.readTree(r.body());
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
