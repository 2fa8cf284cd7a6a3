package dev.fovea.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A fleet run as a PNG: left, every request's TTFT over the run's time (failures as red crosses on the top edge,
 * kills as red vertical lines, the percentiles as dashed lines); right, the encoder replicas' cache hit ratios.
 */
final class FleetChartPng {
    private static final Color POINT = new Color(0x3B6FB6);
    private static final Color BAR = new Color(0x3B6FB6);
    private static final Color FAIL = new Color(0xC0392B);
    private static final Color PCT = new Color(0xD9822B);
    private static final Color GRID = new Color(0xDDDDDD);
    private static final Color TEXT = ChartCanvas.TEXT;
    private static final int TOP = 78;
    private static final int PLOT_HEIGHT = 320;

    private FleetChartPng() {
    }

    static void write(Path file, String title, FleetReport report, List<FleetTurn> turns) throws IOException {
        int width = 1100;
        int height = TOP + PLOT_HEIGHT + 60;
        String subtitle = String.format(Locale.ROOT, "%d requests, %d failed, %.2f req/s; TTFT p50 %.0f ms, p90 %.0f ms, "
                + "p99 %.0f ms", report.requests(), report.failedTotal(), report.succeeded() / report.seconds(),
                report.ttftMs()[0], report.ttftMs()[1], report.ttftMs()[2]);
        ChartCanvas.write(file, width, height, title, subtitle, g -> {
            timeline(g, 70, 700, report, turns);
            hitRatios(g, 800, width - 20, report.encoders());
        });
    }

    private static void timeline(Graphics2D g, int left, int right, FleetReport report, List<FleetTurn> turns) {
        int base = TOP + PLOT_HEIGHT;
        double maxT = Math.max(1, report.seconds() * 1000);
        double maxY = 1;
        for (FleetTurn t : turns) {
            maxY = t.ok() && !Double.isNaN(t.ttftMs()) ? Math.max(maxY, t.ttftMs()) : maxY;
        }
        maxY = niceCeiling(maxY * 1.05);
        for (int i = 0; i <= 4; i++) {
            int y = base - i * PLOT_HEIGHT / 4;
            g.setColor(GRID);
            g.drawLine(left, y, right, y);
            g.setColor(TEXT);
            String label = String.format(Locale.ROOT, "%.0f", maxY * i / 4);
            g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), y + 5);
        }
        g.drawString("TTFT (ms)", left - 60, TOP - 10);
        g.drawString("time of the run (s): 0 … " + String.format(Locale.ROOT, "%.1f", maxT / 1000), left, base + 24);
        for (FleetTurn t : turns) {
            int x = left + (int) Math.round(t.startMs() / maxT * (right - left));
            if (t.ok() && !Double.isNaN(t.ttftMs())) {
                int y = base - (int) Math.round(t.ttftMs() / maxY * PLOT_HEIGHT);
                g.setColor(POINT);
                g.fillOval(x - 2, y - 2, 4, 4);
            } else if (!t.ok()) {
                g.setColor(FAIL);
                g.drawLine(x - 3, TOP - 3, x + 3, TOP + 3);
                g.drawLine(x - 3, TOP + 3, x + 3, TOP - 3);
            }
        }
        g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
        for (int i = 0; i < report.ttftMs().length; i++) {
            double v = report.ttftMs()[i];
            if (!Double.isNaN(v)) {
                int y = base - (int) Math.round(v / maxY * PLOT_HEIGHT);
                g.setColor(PCT);
                g.drawLine(left, y, right, y);
                g.drawString("p" + (int) FleetReport.TTFT_PERCENTILES[i], right + 4, y + 4);
            }
        }
        g.setStroke(new BasicStroke(2f));
        for (FleetReplay.Fired k : report.kills()) {
            int x = left + (int) Math.round(k.atMs() / maxT * (right - left));
            g.setColor(FAIL);
            g.drawLine(x, TOP, x, base);
            g.drawString("kill " + k.component(), x + 4, TOP + 16);
        }
        g.setColor(TEXT);
        g.drawLine(left, base, right, base);
        g.setStroke(new BasicStroke(1f));
    }

    private static void hitRatios(Graphics2D g, int left, int right, List<FleetReport.Cache> encoders) {
        int base = TOP + PLOT_HEIGHT;
        g.setColor(TEXT);
        g.drawString("encoder cache hits", left, TOP - 10);
        if (encoders.isEmpty()) {
            g.drawString("(no encoder replicas scraped)", left, TOP + 20);
            return;
        }
        int slot = (right - left) / encoders.size();
        for (int i = 0; i < encoders.size(); i++) {
            FleetReport.Cache c = encoders.get(i);
            int x = left + i * slot + slot / 6;
            int w = slot * 2 / 3;
            double r = c.scraped() && !Double.isNaN(c.ratio()) ? c.ratio() : 0;
            int h = (int) Math.round(r * PLOT_HEIGHT);
            g.setColor(c.scraped() ? BAR : FAIL);
            g.fillRect(x, base - h, w, h);
            g.setColor(TEXT);
            String value = c.scraped() ? String.format(Locale.ROOT, "%.0f %%", 100 * r) : "gone";
            g.drawString(value, x + (w - g.getFontMetrics().stringWidth(value)) / 2, base - h - 6);
            String name = c.replica().replaceFirst("^encoder-", "");
            g.drawString(name, x + (w - g.getFontMetrics().stringWidth(name)) / 2, base + 18);
        }
        g.drawLine(left, base, right, base);
    }

    /** 1, 2 or 5 times a power of ten, at or above {@code v}. */
    static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
