package dev.fovea.shapesworld;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Bar heights read back from the pixels against the grid lines, and the answers checked against them. */
class BarChartTest {
    private static final Pattern HEIGHT = Pattern.compile("What is the height of the (\\w+) bar\\?");
    private static final Pattern SUM = Pattern.compile("What is the sum of the (\\w+) and (\\w+) bars\\?");

    @Test
    void drawnHeightsAndAnswersAgree() {
        SplittableRandom rng = new SplittableRandom(21);
        for (int i = 0; i < 150; i++) {
            BarChart chart = BarChartGenerator.chart(rng);
            BufferedImage img = BarChartRenderer.render(chart);
            assertThat(chart.bars()).hasSizeBetween(3, 6);
            assertThat(chart.bars().stream().map(BarChart.Bar::color).distinct().count()).isEqualTo(chart.bars().size());
            Map<String, Integer> measured = measure(chart, img);
            int tallest = measured.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
            List<QuestionAnswer> questions = BarChartQuestions.ask(chart, rng);
            boolean askedTallest = false;
            int sums = 0;
            for (QuestionAnswer qa : questions) {
                Matcher m;
                if ((m = HEIGHT.matcher(qa.question())).matches()) {
                    assertThat(qa.answer()).isEqualTo(Integer.toString(measured.get(m.group(1))));
                    assertThat(qa.category()).isEqualTo("math");
                } else if ((m = SUM.matcher(qa.question())).matches()) {
                    assertThat(m.group(1)).isNotEqualTo(m.group(2));
                    assertThat(qa.answer())
                            .isEqualTo(Integer.toString(measured.get(m.group(1)) + measured.get(m.group(2))));
                    sums++;
                } else if (qa.question().equals("Which bar is the tallest?")) {
                    assertThat(measured.get(qa.answer())).isEqualTo(tallest);
                    askedTallest = true;
                } else {
                    assertThat(qa.question()).isEqualTo("Describe the image.");
                    assertThat(qa.category()).isEqualTo("caption");
                    assertThat(qa.answer()).startsWith("a bar chart with ").endsWith(" bar.");
                }
            }
            assertThat(askedTallest).isEqualTo(measured.values().stream().filter(v -> v == tallest).count() == 1);
            int n = chart.bars().size();
            assertThat(sums).isEqualTo(n * (n - 1) / 2);
        }
    }

    /** Colour word → height in grid units, read from the image: grid lines found in a column left of the bars. */
    private static Map<String, Integer> measure(BarChart chart, BufferedImage img) {
        List<Double> lines = new ArrayList<>();
        int x = chart.plotLeft() + 1;
        int y = 0;
        while (y < img.getHeight()) {
            if ((img.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) {
                int start = y;
                while (y < img.getHeight() && (img.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) {
                    y++;
                }
                lines.add((start + y - 1) / 2.0);
            }
            y++;
        }
        assertThat(lines).as("grid lines 0..10").hasSize(11);
        double base = lines.getLast();
        double unit = (base - lines.getFirst()) / 10;
        Map<String, Integer> heights = new HashMap<>();
        for (BarChart.Bar b : chart.bars()) {
            int cx = (b.left() + b.right()) / 2;
            int top = (int) base - 2;
            while (top > 0 && (img.getRGB(cx, top - 1) & 0xFFFFFF) == b.rgb()) {
                top--;
            }
            double value = (base - top) / unit;
            assertThat(Math.abs(value - Math.round(value))).as("a whole number of grid steps").isLessThan(0.3);
            assertThat(Math.round(value)).isBetween(1L, 10L);
            heights.put(b.color().word(), (int) Math.round(value));
        }
        return heights;
    }
}
