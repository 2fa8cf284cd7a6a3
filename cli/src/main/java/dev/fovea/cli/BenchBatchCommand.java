package dev.fovea.cli;

import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.BatchScheduler;
import dev.fovea.engine.pipeline.GenerationConfig;
import dev.fovea.engine.pipeline.GenerationResult;
import dev.fovea.engine.pipeline.LanguageModel;
import dev.fovea.engine.pipeline.TokenListener;
import dev.fovea.engine.sampling.SamplerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Aggregate generation throughput of the continuous-batching scheduler: N concurrent greedy streams, each with its
 * own random prompt, all submitted at once. Reported: every generated token over the wall time, and the decoding
 * rate once all prompts are in (the prompts of N streams are one prefill of N·p tokens that would otherwise
 * dominate short runs). The stream counts are measured in turn, {@code --rounds} times, and each is reported as the
 * median of its rounds: a shared machine's speed drifts over minutes, and taking turns puts every count through the
 * same drift.
 */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = "Aggregate tokens/s of N concurrent streams through the continuous-batching scheduler.")
final class BenchBatchCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "LLM GGUF file.")
    Path model;

    /** The scheduler's queue holds this many; more streams would be refused. */
    private static final int MAX_STREAMS = 1024;

    @Option(names = "--streams", split = ",", defaultValue = "1,4,8",
            description = "Stream counts to measure (default: ${DEFAULT-VALUE}).")
    List<Integer> streams;

    @Option(names = {"-p", "--n-prompt"}, defaultValue = "32", description = "Prompt tokens per stream (default: ${DEFAULT-VALUE}).")
    int nPrompt;

    @Option(names = {"-n", "--n-gen"}, defaultValue = "64", description = "Tokens per stream (default: ${DEFAULT-VALUE}).")
    int nGen;

    @Option(names = {"-r", "--rounds"}, defaultValue = "3",
            description = "Rounds over all stream counts; each is reported as its median (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Option(names = "--chart", description = "Also draw the decoding rates as an SVG bar chart into this file.")
    Path chart;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        if (rounds < 1) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--rounds must be at least 1, got " + rounds);
        }
        if (rounds > 1000) {
            throw new IllegalArgumentException("--rounds must be at most 1000, got " + rounds);
        }
        for (int n : streams) {
            if (n < 1 || n > MAX_STREAMS) {
                throw new IllegalArgumentException("--streams must each be between 1 and " + MAX_STREAMS + ", got " + n);
            }
        }
        int context = ModelContext.of(model);
        ModelContext.checkTokens("-p/--n-prompt", nPrompt, context);
        ModelContext.checkTokens("-n/--n-gen", nGen, nPrompt, "the " + nPrompt + " prompt positions", context);
        try (LanguageModel lm = LanguageModel.open(model, engine.pool(), engine.progress())) {
            int vocab = lm.decoder().config().vocabSize();
            int maxStreams = streams.stream().mapToInt(Integer::intValue).max().orElse(1);
            try (BatchScheduler s = new BatchScheduler(lm.decoder(), lm.tokenizer(),
                    new BatchScheduler.Config(maxStreams, 8L << 30, 0, 1024))) {
                run(s, vocab, maxStreams, new SplittableRandom(0)); // warm-up: JIT of every kernel, page-in
                double[][] overall = new double[streams.size()][rounds];
                double[][] decode = new double[streams.size()][rounds];
                for (int round = 0; round < rounds; round++) {
                    for (int i = 0; i < streams.size(); i++) {
                        int n = streams.get(i);
                        double[] r = run(s, vocab, n, new SplittableRandom(n));
                        overall[i][round] = r[0];
                        decode[i][round] = r[1];
                        if (!json && rounds > 1) {
                            System.err.printf("round %d, %2d streams: %8.2f tok/s decoding%n", round + 1, n, r[1]);
                        }
                    }
                }
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("rounds", rounds);
                double base = median(decode[0]);
                List<BarChartSvg.Bar> bars = new ArrayList<>();
                for (int i = 0; i < streams.size(); i++) {
                    int n = streams.get(i);
                    double all = median(overall[i]);
                    double dec = median(decode[i]);
                    out.put("streams_" + n, Map.of("tokens_per_second", all, "decode_tokens_per_second", dec,
                            "decode_speedup_vs_first", dec / base,
                            "decode_tokens_per_second_rounds", decode[i].clone()));
                    bars.add(new BarChartSvg.Bar(n + (n == 1 ? " stream" : " streams"), dec,
                            String.format(java.util.Locale.ROOT, "%.1f tok/s (%.2f×)", dec, dec / base)));
                    if (!json) {
                        System.out.printf("%2d streams: %8.2f tok/s overall, %8.2f tok/s decoding (%.2f× the first row)%n",
                                n, all, dec, dec / base);
                    }
                }
                if (json) {
                    System.out.println(Json.write(out));
                }
                if (chart != null) {
                    BarChartSvg.write(chart, "Continuous batching: " + model.getFileName() + ", " + nGen
                            + " tokens per stream", "aggregate decoding tokens per second", bars);
                    System.err.println("chart: " + chart);
                }
            }
        }
        return 0;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** {overall tokens/s from submission, decode tokens/s once every stream has its first token}. */
    private double[] run(BatchScheduler s, int vocab, int n, SplittableRandom rnd) throws Exception {
        // ignore EOS so every stream generates exactly nGen tokens
        GenerationConfig cfg = new GenerationConfig(nGen, SamplerConfig.greedy(), List.of(), true);
        List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            int[] prompt = rnd.ints(nPrompt, 0, vocab).toArray();
            results.add(s.submit(List.of(Segment.tokens(prompt)), cfg, TokenListener.NONE).result());
        }
        long tokens = 0;
        long decoded = 0;
        double lastFirstToken = 0;
        for (CompletableFuture<GenerationResult> r : results) {
            GenerationResult g = r.get();
            tokens += g.tokens().length;
            decoded += Math.max(0, g.tokens().length - 1);
            lastFirstToken = Math.max(lastFirstToken, g.promptMillis());
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        // the first token of each stream comes with its prompt; decoding runs from the last of them to the end
        return new double[] {tokens / wall, decoded / Math.max(1e-9, wall - lastFirstToken / 1e3)};
    }
}
