package dev.fovea.shapesworld;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Draws random scenes: image size, background and non-overlapping objects. */
final class SceneGenerator {
    static final int MIN_LONG_SIDE = 224;
    static final int MAX_LONG_SIDE = 1344;
    /** Width over height stays within [1/2, 2]. */
    static final double MAX_ASPECT = 2.0;
    /** Ordinary objects: box side between these fractions of the shorter image side. */
    static final double MIN_OBJECT = 0.08;
    static final double MAX_OBJECT = 0.25;
    /** Small objects: box side from this fraction of the width up to (not including) {@link Scene#SMALL_FRACTION}. */
    static final double MIN_SMALL_OBJECT = 0.008;
    /** A shape smaller than this many pixels is a blob whatever the resolution. */
    static final int MIN_PIXELS = 8;
    static final int MAX_OBJECTS = 6;
    private static final int TRIES_PER_OBJECT = 200;

    private SceneGenerator() {
    }

    /** 1–6 clearly visible objects in an image of 224–1344 px on its long side. */
    static Scene scene(SplittableRandom rng) {
        int longSide = rng.nextInt(MIN_LONG_SIDE, MAX_LONG_SIDE + 1);
        double aspect = Math.exp(rng.nextDouble(-Math.log(MAX_ASPECT), Math.log(MAX_ASPECT)));
        int width = aspect >= 1 ? longSide : (int) Math.round(longSide * aspect);
        int height = aspect >= 1 ? (int) Math.round(longSide / aspect) : longSide;
        Palette palette = Palette.draw(rng);
        List<SceneObject> objects = new ArrayList<>();
        int wanted = rng.nextInt(1, MAX_OBJECTS + 1);
        for (int i = 0; i < wanted; i++) {
            place(rng, palette, width, height, ordinarySizes(width, height), objects);
        }
        if (objects.isEmpty()) { // cannot happen with one object in an empty image, but a scene needs one
            throw new IllegalStateException("no object fits a " + width + "×" + height + " image");
        }
        return new Scene(width, height, ColorJitter.background(rng), objects, false);
    }

    /**
     * A scene at least 1,000 px wide with 1–3 objects under 2 % of its width (visible only at full resolution)
     * and 0–3 ordinary ones.
     */
    static Scene smallObjectScene(SplittableRandom rng) {
        int width = rng.nextInt(Scene.SMALL_MIN_WIDTH, MAX_LONG_SIDE + 1);
        double aspect = rng.nextDouble(0.75, MAX_ASPECT); // width / height
        int height = Math.clamp(Math.round(width / aspect), MIN_LONG_SIDE, MAX_LONG_SIDE);
        Palette palette = Palette.draw(rng);
        List<SceneObject> objects = new ArrayList<>();
        int ordinary = rng.nextInt(0, 4);
        for (int i = 0; i < ordinary; i++) {
            place(rng, palette, width, height, ordinarySizes(width, height), objects);
        }
        int small = rng.nextInt(1, 4);
        int smallMin = Math.max(MIN_PIXELS, (int) Math.round(MIN_SMALL_OBJECT * width));
        int smallMax = (int) Math.ceil(Scene.SMALL_FRACTION * width) - 1; // strictly under 2 % of the width
        for (int i = 0; i < small; i++) {
            place(rng, palette, width, height, new int[] {smallMin, smallMax}, objects);
        }
        return new Scene(width, height, ColorJitter.background(rng), objects, true);
    }

    /** Box sides, inclusive, for ordinary objects. */
    private static int[] ordinarySizes(int width, int height) {
        int shorter = Math.min(width, height);
        int min = Math.max(MIN_PIXELS, (int) Math.ceil(MIN_OBJECT * shorter));
        int max = Math.max(min, (int) Math.floor(MAX_OBJECT * shorter));
        return new int[] {min, max};
    }

    /**
     * Adds one object where its box, grown by the margin, touches no other and stays inside the image; gives up
     * (leaving the scene one object short) when random tries keep failing, which only crowded images do.
     */
    private static void place(SplittableRandom rng, Palette palette, int width, int height, int[] sizes,
            List<SceneObject> objects) {
        int margin = Math.max(2, (int) Math.round(0.02 * Math.min(width, height)));
        Shape shape = palette.shape(rng);
        NamedColor color = palette.color(rng);
        int rgb = ColorJitter.object(color, rng);
        for (int t = 0; t < TRIES_PER_OBJECT; t++) {
            // later tries take smaller sizes: a crowded image still fits a small one
            int maxSize = t < TRIES_PER_OBJECT / 2 ? sizes[1] : sizes[0];
            int size = rng.nextInt(sizes[0], maxSize + 1);
            if (size + 2 * margin > Math.min(width, height)) {
                continue;
            }
            int x = rng.nextInt(margin, width - size - margin + 1);
            int y = rng.nextInt(margin, height - size - margin + 1);
            SceneObject candidate = new SceneObject(shape, color, rgb, x, y, size);
            if (objects.stream().noneMatch(o -> o.tooCloseTo(candidate, margin))) {
                objects.add(candidate);
                return;
            }
        }
    }

    /**
     * The shapes and colours one scene draws from: a random subset of each, so that scenes repeat shapes and
     * colours often enough for counting and for "the {s}" to be ambiguous at times.
     */
    private record Palette(List<Shape> shapes, List<NamedColor> colors) {
        static Palette draw(SplittableRandom rng) {
            List<Shape> s = subset(Arrays.asList(Shape.values()), rng.nextInt(2, Shape.values().length + 1), rng);
            List<NamedColor> c = subset(Arrays.asList(NamedColor.values()),
                    rng.nextInt(2, NamedColor.values().length + 1), rng);
            return new Palette(s, c);
        }

        Shape shape(SplittableRandom rng) {
            return shapes.get(rng.nextInt(shapes.size()));
        }

        NamedColor color(SplittableRandom rng) {
            return colors.get(rng.nextInt(colors.size()));
        }
    }

    /** {@code k} distinct elements of {@code all} in random order (a partial Fisher–Yates shuffle). */
    static <T> List<T> subset(List<T> all, int k, SplittableRandom rng) {
        List<T> copy = new ArrayList<>(all);
        for (int i = 0; i < k; i++) {
            int j = rng.nextInt(i, copy.size());
            T tmp = copy.get(i);
            copy.set(i, copy.get(j));
            copy.set(j, tmp);
        }
        return List.copyOf(copy.subList(0, k));
    }
}
