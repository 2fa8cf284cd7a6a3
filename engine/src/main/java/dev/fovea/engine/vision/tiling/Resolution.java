package dev.fovea.engine.vision.tiling;

/** A size in pixels. */
public record Resolution(int width, int height) {
    public Resolution {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("resolution must be positive, got " + width + "×" + height);
        }
    }

    public long area() {
        return (long) width * height;
    }

    @Override
    public String toString() {
        return width + "×" + height;
    }
}
