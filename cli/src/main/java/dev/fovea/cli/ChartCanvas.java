package dev.fovea.cli;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/** The frame the CLI's PNG charts share: a white canvas, antialiased drawing, a bold title and a subtitle line. */
final class ChartCanvas {
    static final Color TEXT = new Color(0x22, 0x22, 0x22);
    private static final Color GRID = new Color(0xDDDDDD);

    private ChartCanvas() {
    }

    /** Horizontal lines at 0, 20, … 100 % of a plot {@code plotHeight} tall above {@code base}, labelled at the left. */
    static void percentGrid(Graphics2D g, int left, int right, int base, int plotHeight) {
        for (int pct = 0; pct <= 100; pct += 20) {
            int y = base - pct * plotHeight / 100;
            g.setColor(GRID);
            g.drawLine(left, y, right, y);
            g.setColor(TEXT);
            String label = pct + " %";
            g.drawString(label, left - 10 - g.getFontMetrics().stringWidth(label), y + 5);
        }
    }

    /** {@code text} centred on {@code x}. */
    static void centred(Graphics2D g, String text, int x, int baseline) {
        g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, baseline);
    }

    /** Draws the frame, then {@code plot} on it (plain 13 px text, dark ink), and writes the PNG. */
    static void write(Path file, int width, int height, String title, String subtitle, Consumer<Graphics2D> plot)
            throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(TEXT);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            g.drawString(title, 16, 30);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            g.drawString(subtitle, 16, 52);
            plot.accept(g);
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", file.toFile());
    }
}
