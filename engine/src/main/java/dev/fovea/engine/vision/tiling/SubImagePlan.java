package dev.fovea.engine.vision.tiling;

import java.util.ArrayList;
import java.util.List;

/**
 * SPHINX-style mixed scales for one image. Encoder inputs, in order: the global view (the whole image resized
 * to {@code viewSize × viewSize}), then the {@code rows × cols} sub-images, row-major, cropped from the image
 * resized to {@code (cols·viewSize) × (rows·viewSize)} (e.g. 448 → 2 × 2 of 224). Aspect ratio is not kept;
 * pad to a square beforehand where the model expects it.
 */
public record SubImagePlan(Resolution original, int viewSize, int rows, int cols) {

    public int inputCount() {
        return 1 + rows * cols;
    }

    /** The crops of the enlarged image, row-major. */
    public List<TileRegion> subImages() {
        List<TileRegion> l = new ArrayList<>(rows * cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                l.add(new TileRegion(r, c, c * viewSize, r * viewSize, viewSize, viewSize));
            }
        }
        return l;
    }

    public <I> List<I> render(I image, TileImageOps<I> ops) {
        if (ops.width(image) != original.width() || ops.height(image) != original.height()) {
            throw new IllegalArgumentException("plan is for a " + original + " image, got "
                    + ops.width(image) + "×" + ops.height(image));
        }
        List<I> inputs = new ArrayList<>(inputCount());
        inputs.add(ops.resize(image, viewSize, viewSize));
        I large = ops.resize(image, cols * viewSize, rows * viewSize);
        for (TileRegion t : subImages()) {
            inputs.add(ops.crop(large, t.x(), t.y(), t.width(), t.height()));
        }
        return inputs;
    }
}
