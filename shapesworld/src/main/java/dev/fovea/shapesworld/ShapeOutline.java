package dev.fovea.shapesworld;

import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;

/** The Java2D outline of a shape that exactly fills a square box, so the box is the shape's visible extent. */
final class ShapeOutline {
    /** A star's inner radius over its outer radius: fat enough that a 10-px star still reads as a star. */
    private static final double STAR_INNER = 0.45;

    private ShapeOutline() {
    }

    static java.awt.Shape of(Shape shape, double x, double y, double size) {
        return switch (shape) {
            case CIRCLE -> new Ellipse2D.Double(x, y, size, size);
            case SQUARE -> new Rectangle2D.Double(x, y, size, size);
            case TRIANGLE -> polygon(new double[] {x + size / 2, x + size, x}, new double[] {y, y + size, y + size});
            case DIAMOND -> polygon(new double[] {x + size / 2, x + size, x + size / 2, x},
                    new double[] {y, y + size / 2, y + size, y + size / 2});
            case STAR -> star(x, y, size);
        };
    }

    /** A five-pointed star, point up, stretched to touch all four sides of the box. */
    private static java.awt.Shape star(double x, double y, double size) {
        double[] px = new double[10];
        double[] py = new double[10];
        for (int i = 0; i < 10; i++) {
            double r = i % 2 == 0 ? 1 : STAR_INNER;
            double angle = -Math.PI / 2 + i * Math.PI / 5;
            px[i] = r * Math.cos(angle);
            py[i] = r * Math.sin(angle);
        }
        double halfWidth = Math.cos(Math.PI / 10); // the side points lie at ±cos 18°
        double bottom = Math.cos(Math.PI / 5);     // the lower points lie at cos 36° below the centre
        for (int i = 0; i < 10; i++) {
            px[i] = x + (px[i] + halfWidth) / (2 * halfWidth) * size;
            py[i] = y + (py[i] + 1) / (1 + bottom) * size;
        }
        return polygon(px, py);
    }

    private static java.awt.Shape polygon(double[] xs, double[] ys) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xs[0], ys[0]);
        for (int i = 1; i < xs.length; i++) {
            p.lineTo(xs[i], ys[i]);
        }
        p.closePath();
        return p;
    }
}
