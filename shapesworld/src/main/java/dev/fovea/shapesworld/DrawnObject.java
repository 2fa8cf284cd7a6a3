package dev.fovea.shapesworld;

/**
 * What a picture shows where, for training signals beyond the questions: an object's kind ({@link #BAR} for a bar
 * of a chart, else a {@link Shape#word()}), its named colour and its bounding box in pixels.
 */
public record DrawnObject(String kind, NamedColor color, int x, int y, int width, int height) {
    public static final String BAR = "bar";

    static DrawnObject of(SceneObject o) {
        return new DrawnObject(o.shape().word(), o.color(), o.x(), o.y(), o.size(), o.size());
    }

    static DrawnObject of(BarChart chart, BarChart.Bar b) {
        int top = chart.y(b.value());
        return new DrawnObject(BAR, b.color(), b.left(), top, b.right() - b.left(), chart.plotBottom() - top);
    }
}
