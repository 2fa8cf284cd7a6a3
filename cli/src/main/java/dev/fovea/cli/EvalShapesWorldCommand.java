package dev.fovea.cli;

import dev.fovea.engine.vision.tiling.AnyResLayout;
import dev.fovea.shapesworld.AnswerScorer;
import dev.fovea.shapesworld.TestQuestion;
import dev.fovea.shapesworld.TestSet;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs a ShapesWorld test set through a model and reports accuracy per category: generated from {@code --n} and
 * {@code --seed}, or read from {@code --dataset DIR} when that folder holds one. docs/shapesworld.md.
 */
@Command(name = "shapesworld", mixinStandardHelpOptions = true,
        description = "Accuracy of a model on ShapesWorld questions (perception, counting, spatial, math, grounding, "
                + "small objects), greedy, in-process or through a running stack.")
final class EvalShapesWorldCommand implements Callable<Integer> {
    @Option(names = "--n", defaultValue = "500", description = "Questions to generate (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the generated test set (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dataset", description = "Test-set folder: read when it holds questions.jsonl (then --n and --seed "
            + "do not apply), else the generated set is written there and kept.")
    Path dataset;

    @Option(names = "--via", defaultValue = "local", description = "local: the engine in this process; grpc: a running "
            + "gateway (HTTP chat completions, which reach the services over gRPC); kafka: jobs on the running stack's "
            + "queue; llamacpp: llama.cpp's llama-llava-cli (--llama-cli) on the same files, one process per question "
            + "(default: ${DEFAULT-VALUE}).")
    String via;

    @Option(names = "--llama-cli", description = "With --via llamacpp: llama.cpp's llama-llava-cli executable.")
    Path llamaCli;

    @Option(names = "--same-as", description = "An --answers file of an earlier run on the same test set: report how "
            + "many answers are the same, and exit with 1 when any differs.")
    Path sameAs;

    @Option(names = "--model", defaultValue = ShapesWorldModel.ID, description = "Model: '" + ShapesWorldModel.ID
            + "' (the trained model in models/shapesworld), '" + DemoModel.ID + "' (the generated random-weight "
            + "demo pair) or a pipeline file as `fovea up --pipeline` takes; with grpc/kafka the served model id "
            + "(default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--llm", description = "With --via local or llamacpp: an LLM GGUF to run instead of --model (needs --mmproj).")
    Path llm;

    @Option(names = "--mmproj", description = "With --via local or llamacpp, and --llm: the mmproj GGUF (vision tower + projector).")
    Path mmproj;

    @Option(names = "--gateway", defaultValue = "http://127.0.0.1:8080", description = "Gateway URL for grpc/kafka "
            + "(default: ${DEFAULT-VALUE}).")
    String gateway;

    @Option(names = "--concurrency", defaultValue = "4", description = "Requests at a time with --via grpc "
            + "(default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--max-tokens", defaultValue = "48", description = "Tokens generated per answer at most "
            + "(default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--timeout", defaultValue = "3600", description = "Seconds for grpc requests, and for all jobs "
            + "with kafka (default: ${DEFAULT-VALUE}).")
    int timeout;

    @Option(names = "--chart", description = "Also draw the accuracies as a PNG bar chart into this file.")
    Path chart;

    @Option(names = "--json", description = "Print one JSON object: accuracy per category, overall, n, via, model, "
            + "and each answer (unless --answers).")
    boolean json;

    @Option(names = "--answers", description = "Write each question's answer as JSONL into this file.")
    Path answersFile;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        if (n < 1) {
            throw new IllegalArgumentException("--n must be at least 1, got " + n);
        }
        EvalBackend backend = backend();
        boolean temporary = dataset == null;
        TestSet set;
        if (dataset != null && Files.isRegularFile(dataset.resolve("questions.jsonl"))) {
            set = TestSet.read(dataset);
            System.err.println("test set: " + dataset + " (" + set.questions().size() + " questions; --n/--seed do not apply)");
        } else {
            Path dir = temporary ? Files.createTempDirectory("fovea-shapesworld-") : dataset;
            set = TestSet.generate(n, seed, dir);
            System.err.println("test set: " + set.questions().size() + " questions, seed " + seed
                    + (temporary ? "" : ", written to " + dir));
        }
        try {
            long start = System.nanoTime();
            List<String> predicted = backend.answers(set, new ConsoleProgress(!engine.quiet, "questions"));
            double seconds = (System.nanoTime() - start) / 1e9;
            report(set, temporary ? null : set.dir(), backend.model(), predicted, seconds);
            if (sameAs != null && !AnswerComparison.of(sameAs, set.questions(), predicted).report(System.err)) {
                return 1;
            }
        } finally {
            if (temporary) {
                deleteTree(set.dir());
            }
        }
        return 0;
    }

    private EvalBackend backend() throws IOException {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("--max-tokens must be at least 1, got " + maxTokens);
        }
        if ((llm != null || mmproj != null) && !via.equals("local") && !via.equals("llamacpp")) {
            throw new IllegalArgumentException("--llm and --mmproj apply to --via local and llamacpp only; grpc and "
                    + "kafka ask the running stack for --model");
        }
        if (llamaCli != null && !via.equals("llamacpp")) {
            throw new IllegalArgumentException("--llama-cli applies to --via llamacpp only");
        }
        Duration wait = Duration.ofSeconds(Math.max(1, timeout));
        return switch (via) {
            case "local" -> {
                ModelPair pair = modelPair();
                yield new LocalEvalBackend(pair.model(), pair.llm(), pair.towers(), pair.adapter(), pair.layout(), engine,
                        maxTokens);
            }
            case "grpc" -> {
                if (concurrency < 1 || concurrency > 64) {
                    throw new IllegalArgumentException("--concurrency must be between 1 and 64, got " + concurrency);
                }
                yield new GatewayEvalBackend(gateway, servedModel(), maxTokens, concurrency, wait);
            }
            case "kafka" -> new JobsEvalBackend(gateway, servedModel(), maxTokens, wait);
            case "llamacpp" -> {
                if (llamaCli == null) {
                    throw new IllegalArgumentException("--via llamacpp needs --llama-cli (llama.cpp's llama-llava-cli)");
                }
                ModelPair pair = modelPair();
                if (pair.fused()) {
                    throw new IllegalArgumentException("--via llamacpp runs one mmproj with its projector; pipeline '"
                            + pair.model() + "' has " + pair.towers().size() + " towers and an adapter file of its own");
                }
                yield new LlamaCppEvalBackend(pair.model(), llamaCli, pair.llm(), pair.mmproj(), maxTokens,
                        engine.threads != null ? engine.threads : Runtime.getRuntime().availableProcessors(),
                        Math.max(1, timeout));
            }
            default -> throw new IllegalArgumentException("--via must be local, grpc, kafka or llamacpp, got '" + via
                    + "'");
        };
    }

    /**
     * An LLM, its towers and the file of the adapter that joins them to it (for one mmproj with its projector, that
     * mmproj), and how AnyRes tiles are laid out, under the name the report gives the model.
     */
    private record ModelPair(String model, Path llm, List<Path> towers, Path adapter, AnyResLayout layout) {
        ModelPair(String model, Path llm, Path mmproj) {
            this(model, llm, List.of(mmproj), mmproj, AnyResLayout.HUGGING_FACE);
        }

        Path mmproj() {
            return towers.getFirst();
        }

        /** Whether the towers and the adapter are not one mmproj with its projector. */
        boolean fused() {
            return towers.size() != 1 || !adapter.equals(mmproj());
        }
    }

    /** The pair run in this process (local, llamacpp): named by --llm/--mmproj, the demo id, or a pipeline file. */
    private ModelPair modelPair() throws IOException {
        if (llm != null || mmproj != null) {
            if (llm == null || mmproj == null) {
                throw new IllegalArgumentException("--llm and --mmproj go together");
            }
            return new ModelPair(llm.getFileName().toString(), llm, mmproj);
        }
        StackFile spec;
        if (model.equals(DemoModel.ID)) {
            spec = DemoModel.ensure(null);
        } else if (model.equals(ShapesWorldModel.ID) && ShapesWorldModel.installed()) {
            spec = ShapesWorldModel.pipeline();
        } else if (Files.isRegularFile(Path.of(model))) {
            spec = StackFile.read(Path.of(model));
            spec.checkFilesExist();
        } else {
            throw new IllegalArgumentException("--model '" + model + "': with --via local give '" + ShapesWorldModel.ID
                    + "' (when models/shapesworld is in the checkout), '" + DemoModel.ID
                    + "', a pipeline file, or --llm FILE --mmproj FILE");
        }
        if (spec.encoders().isEmpty()) {
            throw new IllegalArgumentException("pipeline '" + spec.model() + "' has no encoders: nothing sees the "
                    + "pictures");
        }
        ModelPair pair = new ModelPair(spec.model(), Path.of(spec.llm()),
                spec.encoders().stream().map(e -> Path.of(e.mmproj())).toList(), Path.of(spec.adapter().file()),
                spec.anyresLayout() == null ? AnyResLayout.HUGGING_FACE : AnyResLayout.named(spec.anyresLayout()));
        if (pair.fused() && !"none".equals(spec.tiling())) {
            // one mmproj tiles as its metadata says (AnyRes); several towers take each image whole in-process
            throw new IllegalArgumentException("pipeline '" + spec.model() + "' tiles images (" + spec.tiling()
                    + ") for several towers; in-process evaluation takes each image whole (use --via grpc against "
                    + "`fovea up --pipeline`)");
        }
        return pair;
    }

    /** The id the gateway knows the model by: --model itself, or the model a pipeline file names. */
    private String servedModel() throws IOException {
        Path file = Path.of(model);
        return !model.equals(DemoModel.ID) && Files.isRegularFile(file) ? StackFile.read(file).model() : model;
    }

    /** Prints the table or JSON ({@code keptDir}: where the test set stays, null for a temporary one). */
    private void report(TestSet set, Path keptDir, String modelName, List<String> predicted, double seconds)
            throws IOException {
        List<TestQuestion> questions = set.questions();
        List<Boolean> correct = new ArrayList<>();
        List<Map<String, Object>> answers = new ArrayList<>();
        for (int i = 0; i < questions.size(); i++) {
            TestQuestion q = questions.get(i);
            boolean right = AnswerScorer.correct(predicted.get(i), q.answer());
            correct.add(right);
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("id", q.id());
            a.put("category", q.category());
            a.put("question", q.question());
            a.put("answer", q.answer());
            a.put("predicted", predicted.get(i));
            a.put("correct", right);
            answers.add(a);
        }
        EvalScore score = EvalScore.of(questions, correct);
        if (answersFile != null) {
            try (BufferedWriter w = Files.newBufferedWriter(answersFile, StandardCharsets.UTF_8)) {
                for (Map<String, Object> a : answers) {
                    w.write(Json.write(a));
                    w.write('\n');
                }
            }
        }
        double perQuestion = seconds / questions.size();
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            Map<String, Double> accuracy = new LinkedHashMap<>();
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (EvalScore.Tally t : score.categories()) {
                accuracy.put(t.name(), round(t.accuracy()));
                counts.put(t.name(), t.questions());
            }
            out.put("accuracy", accuracy);
            out.put("overall", round(score.overall().accuracy()));
            out.put("n", questions.size());
            out.put("questions_per_category", counts);
            out.put("via", via);
            out.put("model", modelName);
            if (keptDir != null) {
                out.put("dataset", keptDir.toString());
            }
            out.put("seconds", round(seconds));
            out.put("seconds_per_question", round(perQuestion));
            if (answersFile == null) {
                out.put("answers", answers.stream().map(a -> Map.of("id", a.get("id"), "predicted", a.get("predicted"),
                        "correct", a.get("correct"))).toList());
            }
            System.out.println(Json.write(out));
        } else {
            System.out.printf(Locale.ROOT, "ShapesWorld: %d questions via %s, model %s (%.2f s per question)%n",
                    questions.size(), via, modelName, perQuestion);
            System.out.printf(Locale.ROOT, "%-14s %9s %8s %9s%n", "category", "questions", "correct", "accuracy");
            for (EvalScore.Tally t : score.categories()) {
                printRow(t);
            }
            printRow(score.overall());
        }
        if (chart != null) {
            AccuracyChartPng.write(chart, "ShapesWorld accuracy: " + modelName,
                    String.format(Locale.ROOT, "%d questions via %s, %.1f %% overall", questions.size(), via,
                            100 * score.overall().accuracy()), score.categories(), score.overall());
            System.err.println("chart: " + chart);
        }
    }

    private static void printRow(EvalScore.Tally t) {
        System.out.printf(Locale.ROOT, "%-14s %9d %8d %8.1f%%%n", t.name(), t.questions(), t.correct(),
                100 * t.accuracy());
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
