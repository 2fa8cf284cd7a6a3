package dev.fovea.cli;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Replays chat conversations about images against a running stack's gateway and reports what a fleet of replicas
 * does with them: throughput, client-side time to first token, the encoders' cache hits per replica and the LLM's
 * prefix reuse, optionally with replicas killed part-way (docs/scaling.md).
 */
@Command(name = "fleet", mixinStandardHelpOptions = true,
        description = "Replay image conversations against a running gateway: throughput, TTFT percentiles, cache hit "
                + "ratios per replica, failures when replicas are killed.")
final class BenchFleetCommand implements Callable<Integer> {
    @Option(names = "--gateway", defaultValue = "http://127.0.0.1:8080", description = "Gateway URL (default: ${DEFAULT-VALUE}).")
    String gateway;

    @Option(names = "--model", defaultValue = ShapesWorldModel.ID, description = "Model id (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--conversations", defaultValue = "300", description = "Conversations to generate (default: ${DEFAULT-VALUE}).")
    int conversations;

    @Option(names = "--turns", defaultValue = "1", description = "Turns per conversation, one question each; later "
            + "turns send the whole history (default: ${DEFAULT-VALUE}).")
    int turns;

    @Option(names = "--images", defaultValue = "30", description = "Distinct generated ShapesWorld pictures the "
            + "conversations are about, each used equally often (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the generated workload (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--record", paramLabel = "F.jsonl", description = "Write the generated workload to this file "
            + "(one conversation a line) and stop.")
    Path record;

    @Option(names = "--replay", paramLabel = "F.jsonl", description = "Replay this recorded workload instead of "
            + "generating one: a line per conversation, {\"id\", \"image\": data URL or file path, \"questions\": [...]}.")
    Path replay;

    @Option(names = "--concurrency", defaultValue = "4", description = "Conversations in flight (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--max-tokens", defaultValue = "8", description = "Completion tokens per request (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--request-timeout", defaultValue = "120", description = "Seconds a request may take before it "
            + "counts as failed and is abandoned (default: ${DEFAULT-VALUE}).")
    int requestTimeout;

    @Option(names = "--kill", paramLabel = "NAME@K", description = "SIGKILL the local stack's component NAME (as "
            + "`fovea status` lists it, e.g. encoder-clip-2) once K requests have completed; repeatable.")
    List<String> kills = new ArrayList<>();

    @Option(names = "--metrics", split = ",", paramLabel = "URL", description = "The encoder replicas' metrics "
            + "(default: every encoder-* component of the local stack).")
    List<String> encoderMetrics;

    @Option(names = "--llm-metrics", split = ",", paramLabel = "URL", description = "The LLM replicas' metrics "
            + "(default: the llm components of the local stack).")
    List<String> llmMetrics;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @Option(names = "--chart", paramLabel = "F.png", description = "Also draw TTFT over the run (kills marked) and "
            + "the encoder replicas' hit ratios as a PNG.")
    Path chart;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        check(concurrency >= 1 && concurrency <= 1024, "--concurrency must be 1 to 1024, got " + concurrency);
        check(maxTokens >= 1, "--max-tokens must be at least 1, got " + maxTokens);
        check(requestTimeout >= 1, "--request-timeout must be at least 1 second, got " + requestTimeout);
        check(record == null || replay == null, "give either --record or --replay");
        List<FleetKill> plannedKills = kills.stream().map(FleetKill::parse).toList();
        FleetWorkload workload = replay != null ? FleetWorkload.read(replay)
                : FleetWorkload.generate(seed, conversations, turns, images);
        if (record != null) {
            workload.write(record);
            System.out.println("wrote " + workload.conversations().size() + " conversations (" + workload.requests()
                    + " requests) to " + record + "; replay them with --replay " + record);
            return 0;
        }
        LocalStack stack = new LocalStack(LocalStack.checkout());
        Path runDir = stack.state().resolve("run");
        for (FleetKill k : plannedKills) {
            k.pid(runDir); // a component that is not running is an error now, not a silent no-op later
            check(k.afterRequests() <= workload.requests(), "--kill " + k.component() + "@" + k.afterRequests()
                    + " would never fire: the workload has " + workload.requests() + " requests");
        }
        checkGateway();
        List<ReplicaMetrics> encoders = encoderMetrics != null ? ReplicaMetrics.given(encoderMetrics)
                : ReplicaMetrics.local(stack, n -> n.startsWith("encoder-"));
        List<ReplicaMetrics> llms = llmMetrics != null ? ReplicaMetrics.given(llmMetrics)
                : ReplicaMetrics.local(stack, n -> n.equals("llm") || n.matches("llm-\\d+"));
        List<Map<String, Double>> encodersBefore = encoders.stream().map(ReplicaMetrics::scrape).toList();
        List<Map<String, Double>> llmsBefore = llms.stream().map(ReplicaMetrics::scrape).toList();

        FleetReplay.Result result = new FleetReplay(gateway, model, maxTokens, concurrency,
                Duration.ofSeconds(requestTimeout), plannedKills, runDir,
                new ConsoleProgress(!quiet, "requests")).run(workload);

        List<FleetReport.Cache> encoderCaches = new ArrayList<>();
        for (int i = 0; i < encoders.size(); i++) {
            encoderCaches.add(FleetReport.Cache.delta(encoders.get(i).name(), encodersBefore.get(i),
                    encoders.get(i).scrape(), "fovea_encoder_cache_hits_total", "fovea_encoder_cache_misses_total",
                    null));
        }
        List<FleetReport.Cache> llmCaches = new ArrayList<>();
        for (int i = 0; i < llms.size(); i++) {
            llmCaches.add(FleetReport.Cache.delta(llms.get(i).name(), llmsBefore.get(i), llms.get(i).scrape(),
                    "fovea_llm_prefix_cache_hits", "fovea_llm_prefix_cache_misses",
                    "fovea_llm_prefix_cache_reused_positions"));
        }
        FleetReport report = FleetReport.of(settings(workload), result, encoderCaches, llmCaches);
        if (json) {
            System.out.println(Json.write(report.json()));
        } else {
            System.out.printf(Locale.ROOT, "fleet: %d conversations (%d requests) over %d images, concurrency %d, "
                            + "max_tokens %d, %s%n", workload.conversations().size(), workload.requests(),
                    workload.distinctImages(), concurrency, maxTokens, gateway);
            System.out.print(report.table());
        }
        if (chart != null) {
            FleetChartPng.write(chart, String.format(Locale.ROOT, "Fovea fleet: %d conversations × %d turns, "
                    + "concurrency %d", workload.conversations().size(), workload.maxTurns(), concurrency), report,
                    result.turns());
            System.err.println("chart: " + chart);
        }
        return report.succeeded() > 0 ? 0 : 1;
    }

    private Map<String, Object> settings(FleetWorkload workload) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("gateway", gateway);
        s.put("model", model);
        s.put("workload", replay != null ? replay.toString() : "generated");
        if (replay == null) {
            s.put("seed", seed);
        }
        s.put("conversations", workload.conversations().size());
        s.put("turns", workload.maxTurns());
        s.put("images", workload.distinctImages());
        s.put("concurrency", concurrency);
        s.put("max_tokens", maxTokens);
        s.put("request_timeout_s", requestTimeout);
        return s;
    }

    /** A gateway that does not answer /v1/models is an error before anything is replayed. */
    private void checkGateway() throws InterruptedException {
        String url = gateway.replaceAll("/+$", "") + "/v1/models";
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
            HttpResponse<String> r = http.send(GatewayRequests.to(url).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            check(r.statusCode() == 200, "GET " + url + " answered " + r.statusCode()
                    + (r.statusCode() == 401 ? " (set " + GatewayRequests.KEY_VARIABLE + ")" : ""));
            check(r.body().contains("\"" + model + "\""), "the gateway at " + gateway + " does not serve model '"
                    + model + "' (--model)");
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("no gateway answers at " + gateway + " (start one with bin/fovea up, or "
                    + "pass --gateway)");
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
