package dev.fovea.shapesworld;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Draws random bar charts: 3–6 bars of distinct colours, integer heights 1–10, equally spaced. */
final class BarChartGenerator {
    static final int MIN_BARS = 3;
    static final int MAX_BARS = 6;
    /** A bar takes this fraction of its slot; the rest is the gap between bars. */
    private static final double BAR_FILL = 0.6;
    private static final double MARGIN = 0.08;

    private BarChartGenerator() {
    }

    static BarChart chart(SplittableRandom rng) {
        // at least 224 px high, so that the ten grid lines stay apart
        int width = rng.nextInt(336, 1025);
        double aspect = rng.nextDouble(0.75, 2.0);
        int height = Math.clamp(Math.round(width / aspect), SceneGenerator.MIN_LONG_SIDE, SceneGenerator.MAX_LONG_SIDE);
        int left = (int) Math.round(MARGIN * width);
        int right = width - left;
        int top = (int) Math.round(MARGIN * height);
        int bottom = height - top;
        int n = rng.nextInt(MIN_BARS, MAX_BARS + 1);
        List<NamedColor> colors = SceneGenerator.subset(Arrays.asList(NamedColor.values()), n, rng);
        double slot = (right - left) / (double) n;
        List<BarChart.Bar> bars = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int barLeft = (int) Math.round(left + i * slot + slot * (1 - BAR_FILL) / 2);
            int barRight = (int) Math.round(left + i * slot + slot * (1 + BAR_FILL) / 2);
            NamedColor c = colors.get(i);
            bars.add(new BarChart.Bar(c, ColorJitter.object(c, rng), rng.nextInt(1, BarChart.MAX_VALUE + 1),
                    barLeft, barRight));
        }
        return new BarChart(width, height, left, right, top, bottom, bars);
    }
}
