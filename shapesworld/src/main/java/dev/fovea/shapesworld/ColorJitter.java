package dev.fovea.shapesworld;

import java.util.SplittableRandom;

/** The small random variations of colour that keep a model from keying on exact RGB values. */
final class ColorJitter {
    /** At most this much per channel either way: the named colours lie much further apart than twice this. */
    static final int OBJECT_JITTER = 12;
    /** Backgrounds keep every channel at least this light, far above gray (128) and yellow's blue (20). */
    static final int BACKGROUND_MIN = 225;

    private ColorJitter() {
    }

    /** {@code color}'s base RGB with each channel moved by up to {@link #OBJECT_JITTER}. */
    static int object(NamedColor color, SplittableRandom rng) {
        int base = color.rgb();
        int r = channel((base >> 16) & 0xFF, rng);
        int g = channel((base >> 8) & 0xFF, rng);
        int b = channel(base & 0xFF, rng);
        return (r << 16) | (g << 8) | b;
    }

    /** A very light background: each channel in [{@link #BACKGROUND_MIN}, 255]. */
    static int background(SplittableRandom rng) {
        int r = rng.nextInt(BACKGROUND_MIN, 256);
        int g = rng.nextInt(BACKGROUND_MIN, 256);
        int b = rng.nextInt(BACKGROUND_MIN, 256);
        return (r << 16) | (g << 8) | b;
    }

    private static int channel(int v, SplittableRandom rng) {
        return Math.clamp(v + rng.nextInt(-OBJECT_JITTER, OBJECT_JITTER + 1), 0, 255);
    }
}
