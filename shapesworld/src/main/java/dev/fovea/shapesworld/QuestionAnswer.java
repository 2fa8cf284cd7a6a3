package dev.fovea.shapesworld;

/** One question about a picture, its true answer, and its category (one of {@link Categories}, or "caption"). */
public record QuestionAnswer(String question, String answer, String category) {
}
