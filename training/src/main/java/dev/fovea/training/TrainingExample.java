package dev.fovea.training;

import java.util.List;

/**
 * One picture ready for a training step: its preprocessed pixels ({@code [3][S][S]}, as the engine's CLIP
 * preprocessing makes them), question/answer token pairs about it, and what each patch shows (null: unknown).
 */
record TrainingExample(float[] pixels, List<QaTokens> questions, PatchLabels labels) {

    /** @param answer the answer's tokens, ending with EOS */
    record QaTokens(int[] question, int[] answer) {
        int inputLength() {
            return question.length + answer.length - 1;
        }
    }
}
