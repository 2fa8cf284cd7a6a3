package dev.fovea.cli;

import dev.fovea.shapesworld.Categories;
import dev.fovea.shapesworld.Picture;
import dev.fovea.shapesworld.PictureKind;
import dev.fovea.shapesworld.QuestionAnswer;
import dev.fovea.shapesworld.ShapesWorld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code shapesworld}: the vision-language model Fovea trains on its own drawn world (the {@code training} module),
 * committed in {@code models/shapesworld/} with the pipeline file that serves it. {@code fovea up} serves it when
 * no pipeline is given, and {@code fovea eval shapesworld} evaluates it by default.
 */
final class ShapesWorldModel {
    static final String ID = "shapesworld";
    /** The world seed of the sample picture that {@code fovea up} and {@code bin/demo} ask about. */
    static final long SAMPLE_SEED = 20261206L;

    /** The sample: a generated scene and a perception question about it, with its true answer. */
    record Sample(Picture picture, QuestionAnswer question) {
    }

    private ShapesWorldModel() {
    }

    static Path pipelineFile() {
        return LocalStack.checkout().resolve("models").resolve(ID).resolve(ID + ".yaml");
    }

    static boolean installed() {
        return Files.isRegularFile(pipelineFile());
    }

    static StackFile pipeline() throws IOException {
        StackFile spec = StackFile.read(pipelineFile());
        spec.checkFilesExist();
        return spec;
    }

    /** The first scene of the sample seed and its first "What color is the {s}?" question. */
    static Sample sample() {
        ShapesWorld world = new ShapesWorld(SAMPLE_SEED);
        for (int i = 0; i < 100; i++) {
            Picture p = world.nextPicture(PictureKind.SCENE);
            for (QuestionAnswer qa : p.questions()) {
                if (qa.category().equals(Categories.PERCEPTION) && qa.question().startsWith("What color is the")) {
                    return new Sample(p, qa);
                }
            }
        }
        throw new IllegalStateException("no colour question in 100 scenes of seed " + SAMPLE_SEED);
    }
}
