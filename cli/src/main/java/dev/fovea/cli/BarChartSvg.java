package dev.fovea.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** A horizontal bar chart as a standalone SVG file, for benchmark results people look at. */
final class BarChartSvg {
    /** One bar: its label, value and the text printed after it. */
    record Bar(String label, double value, String caption) {
    }

    private BarChartSvg() {
    }

    static void write(Path file, String title, String unit, List<Bar> bars) throws IOException {
        int labelWidth = 190;
        int plotWidth = 420;
        int rowHeight = 34;
        int top = 48;
        int height = top + rowHeight * bars.size() + 36;
        double max = bars.stream().mapToDouble(Bar::value).max().orElse(1);
        if (max <= 0) {
            max = 1;
        }
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"13\">%n", labelWidth + plotWidth + 150, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"26\" font-size=\"16\" font-weight=\"bold\">%s</text>%n",
                escape(title)));
        String[] colors = {"#3b6fb6", "#d9822b", "#4c9a5b", "#a24c9a"};
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            int y = top + i * rowHeight;
            double w = Math.max(1, plotWidth * b.value() / max);
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                    labelWidth - 8, y + 18, escape(b.label())));
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"22\" fill=\"%s\"/>%n",
                    labelWidth, y + 4, w, colors[i % colors.length]));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>%n", labelWidth + w + 6, y + 20,
                    escape(b.caption())));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#555\">%s</text>%n", labelWidth,
                height - 12, escape(unit)));
        svg.append("</svg>\n");
        Files.writeString(file, svg.toString());
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
