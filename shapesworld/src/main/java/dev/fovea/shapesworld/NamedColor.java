package dev.fovea.shapesworld;

import java.util.Locale;

/**
 * The eight object colours. Each is a base RGB that objects receive with a small jitter; the bases are far enough
 * apart (and far enough from the very light backgrounds) that the jitter never makes two of them confusable.
 */
public enum NamedColor {
    RED(0xDC1E1E),
    GREEN(0x1EA032),
    BLUE(0x1E46DC),
    YELLOW(0xF0D214),
    PURPLE(0x8C32AA),
    ORANGE(0xF58714),
    BLACK(0x141414),
    GRAY(0x808080);

    private final int rgb;

    NamedColor(int rgb) {
        this.rgb = rgb;
    }

    /** The word questions and answers use: {@code red}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The base colour as 0xRRGGBB, before jitter. */
    public int rgb() {
        return rgb;
    }

    /** "a" or "an", whichever English puts before this colour's word ({@code an orange star}). */
    String article() {
        return this == ORANGE ? "an" : "a";
    }
}
