package dev.fovea.shapesworld;

import java.awt.image.BufferedImage;
import java.util.List;

/** A rendered picture ({@code TYPE_INT_RGB}) and every question the generator can ask about it. */
public record Picture(BufferedImage image, List<QuestionAnswer> questions) {
    public Picture {
        questions = List.copyOf(questions);
    }
}
