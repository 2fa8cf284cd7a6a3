package dev.fovea.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TrainingRecipeTest {

    @Test
    void aShortenedScheduleStillWarmsUpAndDecaysToATenthAtItsLastStep() {
        TrainingRecipe r = TrainingRecipe.of("a", 1).withSteps(300, 1_200);
        assertThat(r.totalSteps()).isEqualTo(1_500);
        assertThat(r.stageAt(299)).isEqualTo(QuestionMix.Stage.ALIGNMENT);
        assertThat(r.stageAt(300)).isEqualTo(QuestionMix.Stage.INSTRUCTION);
        assertThat(r.learningRateAt(0)).isCloseTo(3e-4f / 150, within(1e-9f));
        assertThat(r.learningRateAt(149)).isCloseTo(3e-4f, within(1e-9f));
        // the cosine reaches its floor on the schedule's own last step, not the full recipe's
        assertThat(r.learningRateAt(1_499)).isCloseTo(3e-5f, within(1e-6f));
        assertThat(TrainingRecipe.of("a", 1).learningRateAt(1_499)).isGreaterThan(1.5e-4f);
        assertThat(TrainingRecipe.of("a", 1).learningRateAt(2_999)).isCloseTo(3e-5f, within(1e-6f));
    }

    @Test
    void noCaptionStageStartsWithTheQuestions() {
        TrainingRecipe r = TrainingRecipe.of("b", 1);
        r = r.withSteps(0, r.instructionSteps());
        assertThat(r.stageAt(0)).isEqualTo(QuestionMix.Stage.INSTRUCTION);
        assertThat(r.shape().views()).isEqualTo(5);
    }

    @Test
    void anotherPeakLearningRateScalesTheWholeSchedule() {
        TrainingRecipe r = TrainingRecipe.of("a", 1);
        TrainingRecipe low = r.withLearningRate(0.3f * r.learningRate());
        for (int step : new int[] {0, 149, 1_000, 2_999}) {
            assertThat(low.learningRateAt(step)).isCloseTo(0.3f * r.learningRateAt(step), within(1e-9f));
        }
        assertThat(low.totalSteps()).isEqualTo(r.totalSteps());
    }
}
