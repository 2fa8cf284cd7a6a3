package dev.fovea.cli;

import dev.fovea.engine.constrain.JsonConstraint;
import dev.fovea.engine.constrain.TokenConstraint;
import dev.fovea.engine.llm.DecoderModel;
import dev.fovea.engine.llm.KvCache;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.LanguageModel;
import dev.fovea.engine.sampling.Sampler;
import dev.fovea.engine.tensor.Parallel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Prompt processing and generation speed, measured like llama-bench: a prompt of random tokens evaluated in one
 * batch (pp), and tokens generated one at a time into an empty context (tg), each repeated after a warm-up.
 */
@Command(name = "llm", mixinStandardHelpOptions = true, description = "Prompt and generation tokens/s of an LLM GGUF.")
final class BenchLlmCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "LLM GGUF file.")
    Path model;

    @Option(names = {"-p", "--n-prompt"}, defaultValue = "128", split = ",",
            description = "Prompt tokens; several as a list, e.g. 128,512,2048 (image-sized prompts) (default: "
                    + "${DEFAULT-VALUE}).")
    List<Integer> nPrompt;

    @Option(names = {"-n", "--n-gen"}, defaultValue = "64", description = "Generated tokens (default: ${DEFAULT-VALUE}).")
    int nGen;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "3", description = "Measured runs of each test (default: ${DEFAULT-VALUE}).")
    int repetitions;

    @Mixin
    OutputFormatOptions format;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Mixin
    EngineOptions engine;

    private Parallel pool;

    @Override
    public Integer call() throws Exception {
        int context = ModelContext.of(model);
        for (int p : nPrompt) {
            ModelContext.checkTokens("-p/--n-prompt", p, context);
        }
        ModelContext.checkTokens("-n/--n-gen", nGen, context);
        if (repetitions < 1 || repetitions > 1000) {
            throw new IllegalArgumentException("-r/--repetitions must be between 1 and 1000, got " + repetitions);
        }
        pool = engine.pool();
        try (LanguageModel lm = LanguageModel.open(model, pool, engine.progress())) {
            DecoderModel dec = lm.decoder();
            SplittableRandom rnd = new SplittableRandom(42);
            int vocab = dec.config().vocabSize();
            int longest = nPrompt.stream().mapToInt(Integer::intValue).max().orElse(0);
            int[] longPrompt = rnd.ints(longest, 0, vocab).toArray();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", model.getFileName().toString());
            out.put("threads", pool.threads());
            for (int p : nPrompt) {
                if (p == 0) {
                    continue;
                }
                int[] prompt = Arrays.copyOf(longPrompt, p);
                double[] pp = measure(() -> {
                    KvCache cache = dec.newCache(p);
                    dec.forward(cache, List.of(Segment.tokens(prompt)), false);
                }, p);
                out.put("pp" + p, stats(pp));
                report("pp" + p, pp);
            }
            if (nGen > 0) {
                Runnable plain = () -> {
                    KvCache cache = dec.newCache(nGen);
                    int token = longPrompt.length > 0 ? longPrompt[0] : 1;
                    for (int i = 0; i < nGen; i++) {
                        float[] logits = dec.forward(cache, List.of(Segment.tokens(token)), false);
                        token = Sampler.argmax(logits);
                    }
                };
                double[] tg = measure(plain, nGen);
                out.put("tg" + nGen, stats(tg));
                report("tg" + nGen, tg);
                JsonConstraint constraint = format.constraint();
                if (constraint != null) {
                    constrainedGeneration(lm, constraint, longPrompt, plain, out);
                }
            }
            if (json) {
                System.out.println(Json.write(out));
            }
        }
        return 0;
    }

    /**
     * tg again, each token chosen under the constraint (greedy among the tokens it allows; a value that is whole
     * starts a new one), to state what constrained decoding costs: the rate, its ratio to plain tg, and the masking
     * time per token. Plain and constrained runs alternate, so a shared machine's drift hits both alike.
     */
    private void constrainedGeneration(LanguageModel lm, JsonConstraint constraint, int[] longPrompt, Runnable plain,
                                       Map<String, Object> out) {
        DecoderModel dec = lm.decoder();
        long[] maskNanos = {0};
        long[] tokens = {0};
        Runnable constrained = () -> {
            KvCache cache = dec.newCache(nGen);
            TokenConstraint c = constraint.start(lm.tokenizer());
            int token = longPrompt.length > 0 ? longPrompt[0] : 1;
            for (int i = 0; i < nGen; i++) {
                float[] logits = dec.forward(cache, List.of(Segment.tokens(token)), false);
                float[] masked = logits.clone();
                if (!c.mask(masked) || lm.tokenizer().isEndOfGeneration(token = Sampler.argmax(masked))) {
                    maskNanos[0] += c.maskNanos();
                    c = constraint.start(lm.tokenizer());
                    masked = logits.clone();
                    c.mask(masked);
                    token = Sampler.argmax(masked);
                }
                c.accept(token);
            }
            maskNanos[0] += c.maskNanos();
            tokens[0] += nGen;
        };
        constrained.run(); // warm-up
        maskNanos[0] = 0;
        tokens[0] = 0;
        double[] tg = new double[repetitions];
        double[] rates = new double[repetitions];
        for (int i = 0; i < 2 * repetitions; i++) {
            // ABBA order: neither kind always runs first
            boolean plainNow = (i % 4 == 0 || i % 4 == 3);
            long t0 = System.nanoTime();
            (plainNow ? plain : constrained).run();
            double rate = nGen / ((System.nanoTime() - t0) / 1e9);
            if (plainNow) {
                tg[i / 2] = rate;
            } else {
                rates[i / 2] = rate;
            }
        }
        String name = "tg" + nGen + "+" + constraint;
        Map<String, Object> s = new LinkedHashMap<>(stats(rates));
        double ratio = (Double) s.get("tokens_per_second") / stats(tg).get("tokens_per_second");
        s.put("tg_alternating_tokens_per_second", stats(tg).get("tokens_per_second"));
        double maskMs = maskNanos[0] / 1e6 / tokens[0];
        s.put("ratio_to_tg", ratio);
        s.put("mask_ms_per_token", maskMs);
        out.put(name, s);
        report(name, rates);
        if (!json) {
            System.out.printf("         %.2f× of tg%d run alternately (%.2f tok/s); masking %.3f ms a token%n", ratio,
                    nGen, stats(tg).get("tokens_per_second"), maskMs);
        }
    }

    private double[] measure(Runnable run, int tokens) {
        run.run(); // warm-up: JIT compilation and page-in of the mapped weights
        double[] rates = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            long t0 = System.nanoTime();
            run.run();
            rates[i] = tokens / ((System.nanoTime() - t0) / 1e9);
        }
        return rates;
    }

    private static Map<String, Double> stats(double[] rates) {
        double mean = 0;
        for (double r : rates) {
            mean += r;
        }
        mean /= rates.length;
        double var = 0;
        for (double r : rates) {
            var += (r - mean) * (r - mean);
        }
        double sd = rates.length > 1 ? Math.sqrt(var / (rates.length - 1)) : 0;
        return Map.of("tokens_per_second", mean, "stddev", sd);
    }

    private void report(String test, double[] rates) {
        if (!json) {
            Map<String, Double> s = stats(rates);
            System.out.printf("%-8s %8.2f ± %.2f tok/s  (%s, %d threads)%n", test, s.get("tokens_per_second"),
                    s.get("stddev"), model.getFileName(), pool.threads());
        }
    }
}
