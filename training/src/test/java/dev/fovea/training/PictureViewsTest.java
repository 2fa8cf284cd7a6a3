package dev.fovea.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.engine.vision.RgbImage;
import dev.fovea.engine.vision.RgbImageOps;
import dev.fovea.shapesworld.DrawnObject;
import dev.fovea.shapesworld.NamedColor;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The patch labels of AnyRes views name what the engine's rendering of those views shows: for a wide picture with two
 * squares, the patch the labels give each square in every view shows that square's colour in the rendered view.
 */
class PictureViewsTest {
    private static final VlmShape SHAPE = VlmShape.llavaHighRes();

    @Test
    void labelsOfEveryViewNameWhatThatViewShows() {
        int w = 1000;
        int h = 500;
        List<DrawnObject> objects = List.of(new DrawnObject("square", NamedColor.RED, 650, 280, 120, 120),
                new DrawnObject("square", NamedColor.BLUE, 60, 40, 150, 150));
        BufferedImage picture = draw(w, h, objects);
        PictureViews views = PictureViews.of(picture, objects, SHAPE);
        int g = SHAPE.vit().grid();
        int p = SHAPE.vit().patchSize();
        assertThat(views.pixels()).hasSize(SHAPE.views() * 3 * SHAPE.vit().imageSize() * SHAPE.vit().imageSize());
        assertThat(views.labels().colors()).hasSize(SHAPE.views() * g * g);
        List<RgbImage> rendered = SHAPE.tiling().plan(w, h).render(PicturePixels.rgb(picture), new RgbImageOps());
        int checked = 0;
        for (int v = 0; v < SHAPE.views(); v++) {
            for (int cell = 0; cell < g * g; cell++) {
                int label = views.labels().colors()[v * g * g + cell];
                if (label == 0) {
                    continue;
                }
                NamedColor c = NamedColor.values()[label - 1];
                // the labelled patch shows the object at some of its pixels: look for its colour in the patch
                assertThat(showsColor(rendered.get(v), (cell % g) * p, (cell / g) * p, p, c))
                        .as("view %d patch %d labelled %s", v, cell, c).isTrue();
                checked++;
            }
        }
        // both squares appear in the base view and in tiles (the red one in the lower right tile, the blue upper left)
        assertThat(checked).isGreaterThan(8);
        assertThat(countLabel(views.labels(), 4, g, NamedColor.RED)).isPositive();
        assertThat(countLabel(views.labels(), 1, g, NamedColor.BLUE)).isPositive();
        assertThat(countLabel(views.labels(), 4, g, NamedColor.BLUE)).isZero();
    }

    private static int countLabel(PatchLabels labels, int view, int g, NamedColor c) {
        int n = 0;
        for (int cell = 0; cell < g * g; cell++) {
            if (labels.colors()[view * g * g + cell] == c.ordinal() + 1) {
                n++;
            }
        }
        return n;
    }

    private static boolean showsColor(RgbImage img, int x0, int y0, int side, NamedColor c) {
        int want = c.rgb();
        for (int y = y0; y < y0 + side; y++) {
            for (int x = x0; x < x0 + side; x++) {
                int i = 3 * (y * img.width() + x);
                int r = img.rgb()[i] & 0xFF, gr = img.rgb()[i + 1] & 0xFF, b = img.rgb()[i + 2] & 0xFF;
                if (Math.abs(r - (want >> 16 & 0xFF)) < 12 && Math.abs(gr - (want >> 8 & 0xFF)) < 12
                        && Math.abs(b - (want & 0xFF)) < 12) {
                    return true;
                }
            }
        }
        return false;
    }

    private static BufferedImage draw(int w, int h, List<DrawnObject> objects) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(240, 238, 230));
        g.fillRect(0, 0, w, h);
        for (DrawnObject o : objects) {
            g.setColor(new Color(o.color().rgb()));
            g.fillRect(o.x(), o.y(), o.width(), o.height());
        }
        g.dispose();
        return img;
    }
}
