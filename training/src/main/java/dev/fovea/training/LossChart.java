package dev.fovea.training;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** The training curve as a PNG: loss (smoothed) and answer-token accuracy per step, the stage boundary marked. */
final class LossChart {
    private static final int W = 900;
    private static final int H = 420;
    private static final int LEFT = 60;
    private static final int RIGHT = 60;
    private static final int TOP = 40;
    private static final int BOTTOM = 45;

    private LossChart() {
    }

    /**
     * The chart of a trainer's {@code loss.csv} (columns step, stage, loss, token accuracy, ...); the stage boundary is
     * where the ALIGNMENT rows end.
     */
    static void writeFromCsv(Path csv, Path png, String title) throws IOException {
        List<String> lines = java.nio.file.Files.readAllLines(csv);
        List<float[]> points = new java.util.ArrayList<>();
        int boundary = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            float step = Float.parseFloat(f[0]);
            if (f[1].equals("ALIGNMENT")) {
                boundary = (int) step + 1;
            }
            points.add(new float[] {step, Float.parseFloat(f[2]), Float.parseFloat(f[3])});
        }
        write(png, title, points, boundary);
    }

    /** @param points rows of {step, loss, accuracy} */
    private static void write(Path file, String title, List<float[]> points, int stageBoundary) throws IOException {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.BLACK);
        g.drawString(title, LEFT, 22);
        int steps = points.isEmpty() ? 1 : (int) points.get(points.size() - 1)[0] + 1;
        float maxLoss = 0.1f;
        for (float[] p : points) {
            maxLoss = Math.max(maxLoss, p[1]);
        }
        maxLoss = Math.min(maxLoss, 8f);
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        g.setColor(new Color(225, 225, 225));
        for (int i = 0; i <= 4; i++) {
            int y = TOP + ph * i / 4;
            g.drawLine(LEFT, y, LEFT + pw, y);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(LEFT, TOP, pw, ph);
        for (int i = 0; i <= 4; i++) {
            int y = TOP + ph * i / 4;
            g.drawString(String.format("%.2f", maxLoss * (4 - i) / 4), 8, y + 4);
            g.drawString(String.format("%.0f%%", 100.0 * (4 - i) / 4), LEFT + pw + 8, y + 4);
            g.drawString(String.valueOf(steps * i / 4), LEFT + pw * i / 4 - 10, TOP + ph + 18);
        }
        g.drawString("step", LEFT + pw / 2 - 12, H - 8);
        if (stageBoundary > 0 && stageBoundary < steps) {
            int x = LEFT + (int) ((long) pw * stageBoundary / steps);
            g.setColor(Color.GRAY);
            g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {4f, 4f}, 0f));
            g.drawLine(x, TOP, x, TOP + ph);
            g.drawString("captions | questions", x + 4, TOP + 14);
        }
        g.setStroke(new BasicStroke(1.6f));
        plot(g, points, 1, maxLoss, steps, new Color(200, 60, 40), pw, ph);
        plot(g, points, 2, 1f, steps, new Color(40, 100, 200), pw, ph);
        g.setColor(new Color(200, 60, 40));
        g.drawString("loss (left axis)", LEFT + 10, TOP + ph - 24);
        g.setColor(new Color(40, 100, 200));
        g.drawString("answer-token accuracy (right axis)", LEFT + 10, TOP + ph - 8);
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    /** An exponential moving average of column {@code col}, so the curve reads through step-to-step noise. */
    private static void plot(Graphics2D g, List<float[]> points, int col, float max, int steps, Color color, int pw, int ph) {
        g.setColor(color);
        double avg = Double.NaN;
        int px = -1;
        int py = -1;
        for (float[] p : points) {
            avg = Double.isNaN(avg) ? p[col] : 0.97 * avg + 0.03 * p[col];
            int x = LEFT + (int) ((long) pw * (long) p[0] / steps);
            int y = TOP + ph - (int) (ph * Math.min(1, avg / max));
            if (px >= 0) {
                g.drawLine(px, py, x, y);
            }
            px = x;
            py = y;
        }
    }
}
