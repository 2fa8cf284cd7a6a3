package dev.fovea.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.shapesworld.TestQuestion;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * This run's answers against an earlier run's {@code --answers} file, question by question (by id), compared as
 * the scorer reads them: trimmed, so a leading space from a token's piece does not count as a difference.
 *
 * @param earlierFile the file compared with
 * @param same        questions answered the same
 * @param differences "id: earlier ≠ now" for each question answered differently or missing from the file
 */
record AnswerComparison(Path earlierFile, int same, List<String> differences) {

    static AnswerComparison of(Path earlierFile, List<TestQuestion> questions, List<String> predicted)
            throws IOException {
        Map<String, String> earlier = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(earlierFile, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = Json.mapper().readTree(line);
                if (node == null || !node.hasNonNull("id") || !node.has("predicted")) {
                    throw new IllegalArgumentException(earlierFile + " line " + lineNo
                            + ": not an answer (id and predicted) as --answers writes them");
                }
                earlier.put(node.get("id").asText(), node.get("predicted").asText());
            }
        }
        int same = 0;
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < questions.size(); i++) {
            String id = questions.get(i).id();
            String before = earlier.get(id);
            String now = predicted.get(i).strip();
            if (before != null && before.strip().equals(now)) {
                same++;
            } else {
                differences.add(id + ": " + (before == null ? "(not in the file)" : "'" + before.strip() + "'")
                        + " ≠ '" + now + "'");
            }
        }
        return new AnswerComparison(earlierFile, same, differences);
    }

    /** Prints the count and the differences; true when every answer is the same. */
    boolean report(PrintStream out) {
        int n = same + differences.size();
        out.printf("same answers as %s: %d/%d%n", earlierFile, same, n);
        differences.stream().limit(20).forEach(d -> out.println("  differs: " + d));
        if (differences.size() > 20) {
            out.println("  … and " + (differences.size() - 20) + " more");
        }
        return differences.isEmpty();
    }
}
