package dev.fovea.engine.vision.tiling;

/**
 * SPHINX's mixing of scales: a global low-resolution view plus a {@code rows × cols} grid of sub-images at the
 * encoder's own size ({@link SubImagePlan}).
 */
public record SubImageTiling(int viewSize, int rows, int cols) {
    public SubImageTiling {
        if (viewSize <= 0 || rows <= 0 || cols <= 0 || rows > 64 || cols > 64) {
            throw new IllegalArgumentException("bad sub-image tiling " + rows + "×" + cols + " of " + viewSize + " px");
        }
    }

    /** SPHINX's default: a 448 px image as 2 × 2 sub-images of 224 plus the 224 px global view. */
    public static SubImageTiling sphinx(int viewSize) {
        return new SubImageTiling(viewSize, 2, 2);
    }

    public SubImagePlan plan(int width, int height) {
        return new SubImagePlan(new Resolution(width, height), viewSize, rows, cols);
    }
}
