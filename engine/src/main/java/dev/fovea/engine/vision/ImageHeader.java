package dev.fovea.engine.vision;

/** What an image file's header declares: its format (as ImageIO names it, lower case) and size. */
public record ImageHeader(String format, int width, int height) {
}
