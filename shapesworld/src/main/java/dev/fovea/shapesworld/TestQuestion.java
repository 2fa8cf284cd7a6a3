package dev.fovea.shapesworld;

/** One line of a test set's {@code questions.jsonl}: {@code image} is a file name inside the test-set folder. */
public record TestQuestion(String id, String image, String question, String answer, String category) {
}
