package dev.fovea.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Accuracies (0–100 %) of several runs per category as a PNG: one group of bars per category, overall last. */
final class GroupedAccuracyChartPng {
    private static final Color[] SERIES = {new Color(0x3B6FB6), new Color(0xD9822B), new Color(0x4E9A4E),
        new Color(0xB64B8C), new Color(0x7A5BB6), new Color(0x8C8C3B), new Color(0x3BA3A3), new Color(0x8C5A3B)};

    private GroupedAccuracyChartPng() {
    }

    static void write(Path file, String title, String subtitle, List<String> runs, List<EvalScore> scores)
            throws IOException {
        int categories = scores.getFirst().categories().size() + 1;
        int bar = 22;
        int slot = runs.size() * bar + 36;
        int left = 64;
        int top = 78;
        int plotHeight = 300;
        int legend = 24;
        int width = Math.max(560, left + categories * slot + 24);
        int height = top + plotHeight + 46 + legend;
        ChartCanvas.write(file, width, height, title, subtitle, g -> {
            int base = top + plotHeight;
            ChartCanvas.percentGrid(g, left, width - 16, base, plotHeight);
            for (int c = 0; c < categories; c++) {
                int x0 = left + c * slot + 18;
                String name = null;
                for (int r = 0; r < runs.size(); r++) {
                    EvalScore.Tally t = scores.get(r).rows().get(c);
                    name = t.name();
                    int h = (int) Math.round(t.accuracy() * plotHeight);
                    g.setColor(SERIES[r % SERIES.length]);
                    g.fillRect(x0 + r * bar, base - h, bar - 3, h);
                }
                g.setColor(ChartCanvas.TEXT);
                ChartCanvas.centred(g, name, x0 + runs.size() * bar / 2, base + 20);
            }
            int x = left;
            for (int r = 0; r < runs.size(); r++) {
                g.setColor(SERIES[r % SERIES.length]);
                g.fillRect(x, base + 34, 14, 14);
                g.setColor(ChartCanvas.TEXT);
                g.drawString(runs.get(r), x + 20, base + 46);
                x += 40 + g.getFontMetrics().stringWidth(runs.get(r));
            }
            g.setStroke(new BasicStroke(1.5f));
            g.drawLine(left, base, width - 16, base);
        });
    }
}
