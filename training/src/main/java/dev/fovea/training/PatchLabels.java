package dev.fovea.training;

import dev.fovea.shapesworld.DrawnObject;
import dev.fovea.shapesworld.NamedColor;
import dev.fovea.shapesworld.Shape;
import java.util.List;

/**
 * What each patch of the tower's grid shows, for the tower's auxiliary training signal: the colour and the kind
 * (shape or bar) of the object covering most of the patch, or background (class 0). The grid is that of the
 * engine's CLIP preprocessing: the picture padded at the top-left to a square, scaled to the encoder's size.
 *
 * <p>Why: trained from scratch by the answer tokens alone, the tower got almost no signal (the decoder first
 * learns answers that ignore the image, and stays there); labels per patch make its features name colours and
 * shapes where they are, which the decoder's attention can then pick up.
 */
record PatchLabels(int[] colors, int[] kinds) {
    static final int COLOR_CLASSES = NamedColor.values().length + 1;
    static final int KIND_CLASSES = Shape.values().length + 2;
    /** Share of a patch an object must cover to name it. */
    private static final double MIN_COVER = 0.12;

    static PatchLabels of(int width, int height, List<DrawnObject> objects, VlmShape.Vit vit) {
        int g = vit.grid();
        double scale = (double) Math.max(width, height) / vit.imageSize();
        double side = vit.patchSize() * scale;
        int[] colors = new int[g * g];
        int[] kinds = new int[g * g];
        for (int gy = 0; gy < g; gy++) {
            for (int gx = 0; gx < g; gx++) {
                double x0 = gx * side;
                double y0 = gy * side;
                double best = MIN_COVER * side * side;
                for (DrawnObject o : objects) {
                    double w = Math.min(x0 + side, o.x() + o.width()) - Math.max(x0, o.x());
                    double h = Math.min(y0 + side, o.y() + o.height()) - Math.max(y0, o.y());
                    if (w > 0 && h > 0 && w * h > best) {
                        best = w * h;
                        colors[gy * g + gx] = o.color().ordinal() + 1;
                        kinds[gy * g + gx] = kindClass(o.kind());
                    }
                }
            }
        }
        return new PatchLabels(colors, kinds);
    }

    private static int kindClass(String kind) {
        if (kind.equals(DrawnObject.BAR)) {
            return Shape.values().length + 1;
        }
        for (Shape s : Shape.values()) {
            if (s.word().equals(kind)) {
                return s.ordinal() + 1;
            }
        }
        throw new IllegalArgumentException("unknown object kind '" + kind + "'");
    }
}
