package dev.fovea.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccuracyChartPngTest {

    @Test
    void barsAreAsTallAsTheirAccuracies(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("chart.png");
        List<EvalScore.Tally> categories = List.of(new EvalScore.Tally("perception", 4, 2),
                new EvalScore.Tally("counting", 4, 4), new EvalScore.Tally("ocr", 4, 0));
        AccuracyChartPng.write(file, "title", "subtitle", categories, new EvalScore.Tally("overall", 12, 6));
        BufferedImage img = ImageIO.read(file.toFile());
        int[] heights = new int[4];
        for (int i = 0; i < 4; i++) {
            int x = 64 + i * 110 + 55; // the middle of bar i
            for (int y = 0; y < img.getHeight(); y++) {
                heights[i] += isBar(img.getRGB(x, y)) ? 1 : 0;
            }
        }
        assertThat(heights[0]).isBetween(148, 152);
        assertThat(heights[1]).isBetween(298, 300);
        assertThat(heights[2]).isLessThanOrEqualTo(1);
        assertThat(heights[3]).isBetween(148, 152);
    }

    private static boolean isBar(int rgb) {
        int c = rgb & 0xFFFFFF;
        return c == 0x3B6FB6 || c == 0xD9822B;
    }
}
