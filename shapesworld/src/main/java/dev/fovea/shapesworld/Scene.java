package dev.fovea.shapesworld;

import java.util.List;

/**
 * A drawn scene: image size, background colour (0xRRGGBB) and objects, in the order they were placed.
 * {@code smallObjects} marks the scenes made to hold objects visible only at full resolution.
 */
record Scene(int width, int height, int background, List<SceneObject> objects, boolean smallObjects) {
    /** An object counts as small under this fraction of the image width, in images at least {@link #SMALL_MIN_WIDTH} wide. */
    static final double SMALL_FRACTION = 0.02;
    static final int SMALL_MIN_WIDTH = 1000;

    Scene {
        objects = List.copyOf(objects);
    }

    /** Whether questions about this object test small-object perception. */
    boolean isSmall(SceneObject o) {
        return smallObjects && width >= SMALL_MIN_WIDTH && o.size() < SMALL_FRACTION * width;
    }

    long count(Shape s) {
        return objects.stream().filter(o -> o.shape() == s).count();
    }

    long count(NamedColor c) {
        return objects.stream().filter(o -> o.color() == c).count();
    }

    /** The objects of this colour and shape. */
    List<SceneObject> named(NamedColor c, Shape s) {
        return objects.stream().filter(o -> o.color() == c && o.shape() == s).toList();
    }

    /** Whether this object is the only one of its colour and shape, so that "the {c} {s}" names it. */
    boolean uniquelyNamed(SceneObject o) {
        return named(o.color(), o.shape()).size() == 1;
    }
}
