package dev.fovea.shapesworld;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Every question the templates can ask about a bar chart (all math) and its caption, in a fixed order. */
final class BarChartQuestions {
    private BarChartQuestions() {
    }

    static List<QuestionAnswer> ask(BarChart chart, SplittableRandom rng) {
        List<QuestionAnswer> out = new ArrayList<>();
        List<BarChart.Bar> bars = chart.bars();
        for (BarChart.Bar b : bars) {
            out.add(new QuestionAnswer("What is the height of the " + b.color().word() + " bar?",
                    Integer.toString(b.value()), Categories.MATH));
        }
        int max = bars.stream().mapToInt(BarChart.Bar::value).max().orElseThrow();
        List<BarChart.Bar> tallest = bars.stream().filter(b -> b.value() == max).toList();
        if (tallest.size() == 1) {
            out.add(new QuestionAnswer("Which bar is the tallest?", tallest.getFirst().color().word(), Categories.MATH));
        }
        for (int i = 0; i < bars.size(); i++) {
            for (int j = i + 1; j < bars.size(); j++) {
                BarChart.Bar a = bars.get(i);
                BarChart.Bar b = bars.get(j);
                if (rng.nextBoolean()) { // the order the two are named in says nothing about where they stand
                    a = bars.get(j);
                    b = bars.get(i);
                }
                out.add(new QuestionAnswer("What is the sum of the " + a.color().word() + " and " + b.color().word()
                        + " bars?", Integer.toString(a.value() + b.value()), Categories.MATH));
            }
        }
        List<String> items = bars.stream().map(b -> b.color().article() + " " + b.color().word() + " bar").toList();
        out.add(new QuestionAnswer(Captions.QUESTION, "a bar chart with " + Phrases.list(items), Categories.CAPTION));
        return List.copyOf(out);
    }
}
