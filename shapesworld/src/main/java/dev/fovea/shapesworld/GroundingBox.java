package dev.fovea.shapesworld;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A box on Qwen-VL's 0–1000 grid of an image's width and height, written {@code <box>(x1,y1),(x2,y2)</box>}.
 * Coordinates are kept ordered ({@code x1 ≤ x2}, {@code y1 ≤ y2}).
 */
record GroundingBox(double x1, double y1, double x2, double y2) {
    static final int GRID = 1000;

    private static final String NUMBER = "\\s*([-+]?\\d+(?:\\.\\d+)?)\\s*";
    /** Spaces anywhere between the parts; the comma between the two corners may be left out. */
    private static final Pattern BOX = Pattern.compile("<\\s*box\\s*>\\s*\\(" + NUMBER + "," + NUMBER + "\\)\\s*,?\\s*\\("
            + NUMBER + "," + NUMBER + "\\)\\s*<\\s*/\\s*box\\s*>", Pattern.CASE_INSENSITIVE);

    GroundingBox {
        double lowX = Math.min(x1, x2);
        double lowY = Math.min(y1, y2);
        x2 = Math.max(x1, x2);
        y2 = Math.max(y1, y2);
        x1 = lowX;
        y1 = lowY;
    }

    /** The object's box on the grid: x1 = round(1000 · left / width) and so on. */
    static GroundingBox of(SceneObject o, int width, int height) {
        return new GroundingBox(Math.round((double) GRID * o.x() / width), Math.round((double) GRID * o.y() / height),
                Math.round((double) GRID * o.right() / width), Math.round((double) GRID * o.bottom() / height));
    }

    /** The first box written in {@code text}, if any. */
    static Optional<GroundingBox> find(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = BOX.matcher(text);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new GroundingBox(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))));
    }

    /** Intersection over union; 0 when either box has no area. */
    double iou(GroundingBox other) {
        double w = Math.min(x2, other.x2) - Math.max(x1, other.x1);
        double h = Math.min(y2, other.y2) - Math.max(y1, other.y1);
        if (w <= 0 || h <= 0) {
            return 0;
        }
        double inter = w * h;
        double union = area() + other.area() - inter;
        return union > 0 ? inter / union : 0;
    }

    double area() {
        return (x2 - x1) * (y2 - y1);
    }

    String text() {
        return String.format(Locale.ROOT, "<box>(%s,%s),(%s,%s)</box>", num(x1), num(y1), num(x2), num(y2));
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
