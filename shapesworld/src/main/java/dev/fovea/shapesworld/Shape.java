package dev.fovea.shapesworld;

import java.util.Locale;

/** The five shapes of ShapesWorld, each drawn to fill its object's square bounding box. */
public enum Shape {
    CIRCLE, SQUARE, TRIANGLE, DIAMOND, STAR;

    /** The word questions and answers use: {@code circle}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The plural the counting templates use: {@code circles}. */
    public String plural() {
        return word() + "s";
    }
}
