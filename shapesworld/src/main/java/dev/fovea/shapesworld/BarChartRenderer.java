package dev.fovea.shapesworld;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** Draws a bar chart: white background, light grid lines at every integer value, the bars, a dark base line. */
final class BarChartRenderer {
    private static final Color GRID = new Color(0xC8C8C8);
    private static final Color AXIS = new Color(0x404040);

    private BarChartRenderer() {
    }

    static BufferedImage render(BarChart chart) {
        BufferedImage img = new BufferedImage(chart.width(), chart.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, chart.width(), chart.height());
            // lines thick enough to survive downscaling the whole chart to ~200 px
            float line = Math.max(1f, chart.height() / 300f);
            g.setStroke(new BasicStroke(line));
            g.setColor(GRID);
            for (int v = 1; v <= BarChart.MAX_VALUE; v++) {
                g.drawLine(chart.plotLeft(), chart.y(v), chart.plotRight(), chart.y(v));
            }
            for (BarChart.Bar b : chart.bars()) {
                g.setColor(new Color(b.rgb()));
                int top = chart.y(b.value());
                g.fillRect(b.left(), top, b.right() - b.left(), chart.plotBottom() - top);
            }
            g.setColor(AXIS);
            g.drawLine(chart.plotLeft(), chart.plotBottom(), chart.plotRight(), chart.plotBottom());
        } finally {
            g.dispose();
        }
        return img;
    }
}
