package dev.fovea.training;

import java.util.List;

/**
 * One picture ready for a training step: its preprocessed pixels ({@code [3][S][S]}, as the engine's CLIP
 * preprocessing makes them) and question/answer token pairs about it.
 */
record TrainingExample(float[] pixels, List<QaTokens> questions) {

    /** @param answer the answer's tokens, ending with EOS */
    record QaTokens(int[] question, int[] answer) {
        int inputLength() {
            return question.length + answer.length - 1;
        }
    }
}
