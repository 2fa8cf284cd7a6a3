package dev.fovea.shapesworld;

/** The caption prompt of the alignment stage. */
final class Captions {
    static final String QUESTION = "Describe the image.";

    private Captions() {
    }
}
