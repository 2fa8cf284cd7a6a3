package dev.fovea.shapesworld;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** Draws a scene with Java2D (antialiased edges, flat fills). */
final class SceneRenderer {
    private SceneRenderer() {
    }

    static BufferedImage render(Scene scene) {
        BufferedImage img = new BufferedImage(scene.width(), scene.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(new Color(scene.background()));
            g.fillRect(0, 0, scene.width(), scene.height());
            for (SceneObject o : scene.objects()) {
                g.setColor(new Color(o.rgb()));
                g.fill(ShapeOutline.of(o.shape(), o.x(), o.y(), o.size()));
            }
        } finally {
            g.dispose();
        }
        return img;
    }
}
