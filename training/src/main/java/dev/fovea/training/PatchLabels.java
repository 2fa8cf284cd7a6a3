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
        double side = vit.patchSize() * (double) Math.max(width, height) / vit.imageSize();
        return ofView(objects, vit.grid(), 0, 0, side, side);
    }

    /**
     * The labels of a view whose {@code grid × grid} patches each cover {@code sideX × sideY} picture pixels, patch
     * (0, 0) from ({@code x0}, {@code y0}) on: a view that squashes the picture, or a tile of an enlarged canvas.
     */
    static PatchLabels ofView(List<DrawnObject> objects, int grid, double x0, double y0, double sideX, double sideY) {
        int[] colors = new int[grid * grid];
        int[] kinds = new int[grid * grid];
        for (int gy = 0; gy < grid; gy++) {
            for (int gx = 0; gx < grid; gx++) {
                double px = x0 + gx * sideX;
                double py = y0 + gy * sideY;
                double best = MIN_COVER * sideX * sideY;
                for (DrawnObject o : objects) {
                    double w = Math.min(px + sideX, o.x() + o.width()) - Math.max(px, o.x());
                    double h = Math.min(py + sideY, o.y() + o.height()) - Math.max(py, o.y());
                    if (w > 0 && h > 0 && w * h > best) {
                        best = w * h;
                        colors[gy * grid + gx] = o.color().ordinal() + 1;
                        kinds[gy * grid + gx] = kindClass(o.kind());
                    }
                }
            }
        }
        return new PatchLabels(colors, kinds);
    }

    /** Several views' labels, one after another (the order their patches have in the batch). */
    static PatchLabels concat(List<PatchLabels> views) {
        int n = views.stream().mapToInt(v -> v.colors().length).sum();
        int[] colors = new int[n];
        int[] kinds = new int[n];
        int at = 0;
        for (PatchLabels v : views) {
            System.arraycopy(v.colors(), 0, colors, at, v.colors().length);
            System.arraycopy(v.kinds(), 0, kinds, at, v.kinds().length);
            at += v.colors().length;
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
