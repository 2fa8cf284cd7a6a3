package dev.fovea.training;

/**
 * How one variant is trained: its shape, the steps of each stage, pictures per step, questions per picture, and the
 * learning rate (linear warm-up, then cosine decay to a tenth, over both stages).
 */
record TrainingRecipe(String variant, VlmShape shape, int alignmentSteps, int instructionSteps, int batch,
                      int questionsPerPicture, float learningRate, int warmupSteps, float imageScalePenalty,
                      float patchLossWeight, long seed) {

    /**
     * Weight of the image embeddings' mean square in the objective. The decoder's RMSNorm makes its loss blind to
     * their scale, and with nothing holding it the scale drifts up under Adam (to RMS ≈ 40 in 500 steps, against
     * 0.02 for token embeddings), which shrinks every later update of the tower and adapter relative to their
     * output: the image path stops learning. A small penalty keeps the scale in range.
     */
    static final float IMAGE_SCALE_PENALTY = 1e-3f;
    /** Weight of the tower's patch colour/kind cross-entropy ({@link PatchLabels}) beside the answer loss. */
    static final float PATCH_LOSS_WEIGHT = 0.5f;

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

    /** The same recipe with stages of these lengths; the learning-rate schedule follows their sum. */
    TrainingRecipe withSteps(int alignment, int instruction) {
        return new TrainingRecipe(variant, shape, alignment, instruction, batch, questionsPerPicture, learningRate,
                warmupSteps, imageScalePenalty, patchLossWeight, seed);
    }

    /** The same recipe with another peak learning rate (warm-up and cosine keep their shape). */
    TrainingRecipe withLearningRate(float peak) {
        return new TrainingRecipe(variant, shape, alignmentSteps, instructionSteps, batch, questionsPerPicture, peak,
                warmupSteps, imageScalePenalty, patchLossWeight, seed);
    }

    /**
     * The recipe of a variant by its letter. Every variant changes one thing of (a) and keeps its schedule (500
     * caption steps, 2,500 question steps, 8 pictures × 12 questions, learning rate 3e-4 with 150 warm-up steps), so
     * that an ablation compares the variants, not their schedules. (a) takes about 41 minutes on 2 cores; at the
     * earlier 1e-3 peak the same schedule ended at a higher loss (0.960 against 0.905 over its last 500 steps).
     */
    static TrainingRecipe of(String variant, long seed) {
        VlmShape shape = switch (variant) {
            case "a" -> VlmShape.llava();
            // (a) with AnyRes views (base + 2 × 2 tiles of a 448 canvas)
            case "b" -> VlmShape.llavaHighRes();
            // SPHINX-style: (a)'s tower and a finer one (16-px patches) fused onto 49 rows
            case "c" -> VlmShape.sphinx();
            // BLIP-style: one linear map from image features to the decoder
            case "d" -> VlmShape.llava().withAdapter(Adapter.LINEAR);
            // Qwen-VL-style: a resampler (16 learned queries reading the 49 patches)
            case "e" -> VlmShape.llava().withAdapter(Adapter.RESAMPLER);
            default -> throw new IllegalArgumentException("variant '" + variant + "' has no recipe (a, b, c, d, e)");
        };
        return new TrainingRecipe(variant, shape, 500, 2500, 8, 12, 3e-4f, 150, IMAGE_SCALE_PENALTY,
                PATCH_LOSS_WEIGHT, seed);
    }
}
