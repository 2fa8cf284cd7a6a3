package dev.fovea.shapesworld;

/**
 * One object of a scene: its shape, named colour, the jittered RGB it is drawn in, and its square bounding box
 * ({@code x}, {@code y} top-left, {@code size} the side, in pixels). The shape fills the box, so the box is also
 * what grounding answers give.
 */
record SceneObject(Shape shape, NamedColor color, int rgb, int x, int y, int size) {

    int right() {
        return x + size;
    }

    int bottom() {
        return y + size;
    }

    double centreX() {
        return x + size / 2.0;
    }

    double centreY() {
        return y + size / 2.0;
    }

    /** How questions name it: {@code red circle}. */
    String name() {
        return color.word() + " " + shape.word();
    }

    /** With its article: {@code a red circle}, {@code an orange star}. */
    String withArticle() {
        return color.article() + " " + name();
    }

    /** Whether the two boxes, each grown by {@code margin} pixels, overlap. */
    boolean tooCloseTo(SceneObject other, int margin) {
        return x - margin < other.right() && other.x - margin < right()
                && y - margin < other.bottom() && other.y - margin < bottom();
    }
}
