package dev.fovea.shapesworld;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AnswerScorerTest {

    @Test
    void wordsCompareTrimmedLowerCasedAndWithoutAFinalPeriod() {
        assertThat(AnswerScorer.correct(" Red. ", "red")).isTrue();
        assertThat(AnswerScorer.correct("YES", "yes")).isTrue();
        assertThat(AnswerScorer.correct("red  circle", "red circle")).isTrue();
        assertThat(AnswerScorer.correct("a red circle and a blue square.", "a red circle and a blue square.")).isTrue();
        assertThat(AnswerScorer.correct("blue", "red")).isFalse();
        assertThat(AnswerScorer.correct("yes, it is", "yes")).isFalse();
        assertThat(AnswerScorer.correct("", "yes")).isFalse();
        assertThat(AnswerScorer.correct(null, "yes")).isFalse();
    }

    @Test
    void numbersCompareByValue() {
        assertThat(AnswerScorer.correct("3", "3")).isTrue();
        assertThat(AnswerScorer.correct("3.0", "3")).isTrue();
        assertThat(AnswerScorer.correct(" 3 ", "3.0")).isTrue();
        assertThat(AnswerScorer.correct("3.", "3")).isTrue();
        assertThat(AnswerScorer.correct("03", "3")).isTrue();
        assertThat(AnswerScorer.correct("4", "3")).isFalse();
        assertThat(AnswerScorer.correct("three", "3")).isFalse();
        assertThat(AnswerScorer.correct("3 circles", "3")).isFalse();
        assertThat(AnswerScorer.correct("1e999999999999", "3")).isFalse();
    }

    @Test
    void boxesAreRightFromAnIouOfOneHalf() {
        String truth = "<box>(100,100),(300,300)</box>";
        assertThat(AnswerScorer.correct(truth, truth)).isTrue();
        assertThat(AnswerScorer.correct("< box > ( 100 , 100 ) , ( 300 , 300 ) </ box >", truth)).isTrue();
        assertThat(AnswerScorer.correct("<ref>the red circle</ref><box>(110,90),(310,290)</box>", truth)).isTrue();
        // 200×200 truth against a 200×100 half: IoU 0.5 exactly is right, just under is wrong
        assertThat(AnswerScorer.correct("<box>(100,100),(300,200)</box>", truth)).isTrue();
        assertThat(AnswerScorer.correct("<box>(100,100),(300,199)</box>", truth)).isFalse();
        assertThat(AnswerScorer.correct("<box>(300,300),(100,100)</box>", truth)).as("corners swapped").isTrue();
        assertThat(AnswerScorer.correct("<box>(400,400),(500,500)</box>", truth)).isFalse();
        assertThat(AnswerScorer.correct("(100,100),(300,300)", truth)).as("no box tags").isFalse();
        assertThat(AnswerScorer.correct("<box>(100,100)</box>", truth)).isFalse();
        assertThat(AnswerScorer.correct("yes", truth)).isFalse();
    }

    @Test
    void iouOfKnownBoxes() {
        GroundingBox a = new GroundingBox(0, 0, 10, 10);
        assertThat(a.iou(a)).isEqualTo(1.0);
        assertThat(a.iou(new GroundingBox(5, 0, 15, 10))).isEqualTo(50.0 / 150.0);
        assertThat(a.iou(new GroundingBox(10, 10, 20, 20))).isZero();
        assertThat(a.iou(new GroundingBox(3, 3, 3, 8))).as("no area").isZero();
    }
}
