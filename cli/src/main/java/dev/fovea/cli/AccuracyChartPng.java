package dev.fovea.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** A vertical bar chart of accuracies (0–100 %) as a PNG, one bar per category and the overall one last. */
final class AccuracyChartPng {
    private static final Color BAR = new Color(0x3B6FB6);
    private static final Color OVERALL = new Color(0xD9822B);
    private static final Color TEXT = ChartCanvas.TEXT;

    private AccuracyChartPng() {
    }

    static void write(Path file, String title, String subtitle, List<EvalScore.Tally> categories,
            EvalScore.Tally overall) throws IOException {
        int slot = 110;
        int left = 64;
        int top = 78;
        int plotHeight = 300;
        int bottom = 56;
        int n = categories.size() + 1;
        int width = Math.max(560, left + n * slot + 24);
        int height = top + plotHeight + bottom;
        ChartCanvas.write(file, width, height, title, subtitle, g -> {
            int base = top + plotHeight;
            ChartCanvas.percentGrid(g, left, width - 16, base, plotHeight);
            for (int i = 0; i < n; i++) {
                EvalScore.Tally t = i < categories.size() ? categories.get(i) : overall;
                int x = left + i * slot + slot / 5;
                int w = slot * 3 / 5;
                int h = (int) Math.round(t.accuracy() * plotHeight);
                g.setColor(i < categories.size() ? BAR : OVERALL);
                g.fillRect(x, base - h, w, h);
                g.setColor(TEXT);
                ChartCanvas.centred(g, String.format(Locale.ROOT, "%.1f %%", 100 * t.accuracy()), x + w / 2,
                        base - h - 6);
                ChartCanvas.centred(g, t.name(), x + w / 2, base + 20);
                ChartCanvas.centred(g, "n = " + t.questions(), x + w / 2, base + 38);
            }
            g.setStroke(new BasicStroke(1.5f));
            g.drawLine(left, base, width - 16, base);
        });
    }
}
