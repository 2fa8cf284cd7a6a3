package dev.fovea.shapesworld;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A rendered picture ({@code TYPE_INT_RGB}), every question the generator can ask about it, and the objects it
 * shows (shapes of a scene, bars of a chart).
 */
public record Picture(BufferedImage image, List<QuestionAnswer> questions, List<DrawnObject> objects) {
    public Picture {
        questions = List.copyOf(questions);
        objects = List.copyOf(objects);
    }
}
