package dev.fovea.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.shapesworld.TestQuestion;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Several runs of {@code fovea eval shapesworld --answers F.jsonl} on the same test set side by side (an ablation):
 * accuracy per category as a Markdown table, how many answers each run shares with the first, and a grouped bar
 * chart.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compares answer files of runs on the same test set (fovea eval shapesworld --answers F.jsonl): "
                + "accuracy per category as a Markdown table, and as a grouped bar chart with --chart.")
final class EvalCompareCommand implements Callable<Integer> {
    @Parameters(arity = "1..8", paramLabel = "NAME=ANSWERS.jsonl", description = "A run's name and its answers file.")
    List<String> runs;

    @Option(names = "--chart", description = "Write the grouped bar chart to this PNG.")
    Path chart;

    @Option(names = "--title", defaultValue = "ShapesWorld ablation", description = "Chart title (default: ${DEFAULT-VALUE}).")
    String title;

    /** A run: its name and its questions' ids, categories and right/wrong, in file order. */
    record Run(String name, List<TestQuestion> questions, List<Boolean> correct, Map<String, String> predicted) {
    }

    @Override
    public Integer call() throws IOException {
        List<Run> loaded = new ArrayList<>();
        for (String spec : runs) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new IllegalArgumentException("a run is NAME=ANSWERS.jsonl, got '" + spec + "'");
            }
            loaded.add(read(spec.substring(0, eq), Path.of(spec.substring(eq + 1))));
        }
        Run first = loaded.getFirst();
        for (Run r : loaded) {
            if (!ids(r).equals(ids(first))) {
                throw new IllegalArgumentException("runs '" + first.name() + "' and '" + r.name()
                        + "' answered different questions: compare runs on the same test set (--dataset or --n/--seed)");
            }
        }
        List<EvalScore> scores = loaded.stream().map(r -> EvalScore.of(r.questions(), r.correct())).toList();
        StringBuilder md = new StringBuilder("| category | n |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (Run r : loaded) {
            md.append(' ').append(r.name()).append(" |");
            rule.append("---|");
        }
        md.append('\n').append(rule).append('\n');
        List<EvalScore.Tally> firstTallies = scores.getFirst().rows();
        for (int c = 0; c < firstTallies.size(); c++) {
            md.append("| ").append(firstTallies.get(c).name()).append(" | ").append(firstTallies.get(c).questions())
                    .append(" |");
            for (EvalScore s : scores) {
                EvalScore.Tally t = s.rows().get(c);
                md.append(String.format(Locale.ROOT, " %.1f %% |", 100 * t.accuracy()));
            }
            md.append('\n');
        }
        md.append("| same answers as ").append(first.name()).append(" | ").append(first.questions().size()).append(" |");
        for (Run r : loaded) {
            long same = first.predicted().entrySet().stream()
                    .filter(e -> e.getValue().strip().equals(r.predicted().get(e.getKey()).strip())).count();
            md.append(' ').append(same).append(" |");
        }
        System.out.println(md.append('\n'));
        if (chart != null) {
            GroupedAccuracyChartPng.write(chart, title, first.questions().size() + " questions, runs: "
                    + String.join(", ", loaded.stream().map(Run::name).toList()),
                    loaded.stream().map(Run::name).toList(), scores);
            System.out.println("chart: " + chart);
        }
        return 0;
    }

    private static List<String> ids(Run r) {
        return r.questions().stream().map(TestQuestion::id).sorted().toList();
    }

    private static Run read(String name, Path file) throws IOException {
        List<TestQuestion> questions = new ArrayList<>();
        List<Boolean> correct = new ArrayList<>();
        Map<String, String> predicted = new LinkedHashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode o = Json.mapper().readTree(line);
                for (String key : List.of("id", "category", "correct", "predicted")) {
                    if (!o.hasNonNull(key)) {
                        throw new IllegalArgumentException(file + " line " + n + ": no '" + key
                                + "' (not an answers file of fovea eval shapesworld --answers)");
                    }
                }
                String id = o.get("id").asText();
                if (predicted.put(id, o.get("predicted").asText()) != null) {
                    throw new IllegalArgumentException(file + " line " + n + ": question '" + id + "' again");
                }
                questions.add(new TestQuestion(id, "", o.path("question").asText(), o.path("answer").asText(),
                        o.get("category").asText()));
                correct.add(o.get("correct").asBoolean());
            }
        }
        if (questions.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no answers");
        }
        return new Run(name, questions, correct, predicted);
    }
}
