package dev.fovea.training;

/**
 * How one variant is trained: its shape, the steps of each stage, pictures per step, questions per picture, and the
 * learning rate (linear warm-up, then cosine decay to a tenth, over both stages).
 */
record TrainingRecipe(String variant, VlmShape shape, int alignmentSteps, int instructionSteps, int batch,
                      int questionsPerPicture, float learningRate, int warmupSteps, long seed) {

    int totalSteps() {
        return alignmentSteps + instructionSteps;
    }

    float learningRateAt(int step) {
        if (step < warmupSteps) {
            return learningRate * (step + 1) / warmupSteps;
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps() - warmupSteps);
        return (float) (learningRate * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)))));
    }

    QuestionMix.Stage stageAt(int step) {
        return step < alignmentSteps ? QuestionMix.Stage.ALIGNMENT : QuestionMix.Stage.INSTRUCTION;
    }

    /** The recipe of a variant by its letter. */
    static TrainingRecipe of(String variant, long seed) {
        return switch (variant) {
            case "a" -> new TrainingRecipe("a", VlmShape.llava(), 250, 1850, 8, 8, 1e-3f, 150, seed);
            // BLIP-style: (a) with one linear map from image features to the decoder, the same steps
            case "d" -> new TrainingRecipe("d", VlmShape.llava().withAdapter(Adapter.LINEAR), 250, 1850, 8, 8, 1e-3f,
                    150, seed);
            default -> throw new IllegalArgumentException("variant '" + variant + "' has no recipe yet (a, d)");
        };
    }
}
