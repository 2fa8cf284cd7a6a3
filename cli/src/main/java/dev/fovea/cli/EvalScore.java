package dev.fovea.cli;

import dev.fovea.shapesworld.Categories;
import dev.fovea.shapesworld.TestQuestion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Accuracy per category and overall. Every category the test set names is reported: ShapesWorld's six in their
 * usual order, then any others alphabetically.
 */
record EvalScore(List<Tally> categories, Tally overall) {

    /** Questions and right answers under one name. */
    record Tally(String name, int questions, int correct) {
        double accuracy() {
            return questions == 0 ? 0 : (double) correct / questions;
        }
    }

    /** The categories, then the overall tally: the rows of a report. */
    List<Tally> rows() {
        List<Tally> rows = new ArrayList<>(categories);
        rows.add(overall);
        return rows;
    }

    static EvalScore of(List<TestQuestion> questions, List<Boolean> correct) {
        Map<String, int[]> counts = new TreeMap<>();
        int right = 0;
        for (int i = 0; i < questions.size(); i++) {
            int[] c = counts.computeIfAbsent(questions.get(i).category(), k -> new int[2]);
            c[0]++;
            if (correct.get(i)) {
                c[1]++;
                right++;
            }
        }
        List<Tally> tallies = new ArrayList<>();
        for (String known : Categories.EVALUATED) {
            int[] c = counts.remove(known);
            if (c != null) {
                tallies.add(new Tally(known, c[0], c[1]));
            }
        }
        counts.forEach((name, c) -> tallies.add(new Tally(name, c[0], c[1])));
        return new EvalScore(List.copyOf(tallies), new Tally("overall", questions.size(), right));
    }
}
