package dev.fovea.shapesworld;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a model's answer is right. Both sides are trimmed, lower-cased and lose a final "."; numbers compare
 * by value ("3" = "3.0"); when the true answer is a box, the first box in the prediction must overlap it with an
 * IoU of at least 0.5 (an answer without a readable box is wrong). Everything else must match exactly.
 */
public final class AnswerScorer {
    static final double MIN_IOU = 0.5;
    /** Longer "numbers" are not answers a model means; parsing them is left out. */
    private static final int MAX_NUMBER_CHARS = 40;

    private AnswerScorer() {
    }

    public static boolean correct(String predicted, String truth) {
        if (predicted == null || truth == null) {
            return false;
        }
        Optional<GroundingBox> trueBox = GroundingBox.find(truth);
        if (trueBox.isPresent()) {
            return GroundingBox.find(predicted).map(b -> b.iou(trueBox.get()) >= MIN_IOU).orElse(false);
        }
        String p = normalize(predicted);
        String t = normalize(truth);
        BigDecimal trueNumber = number(t);
        if (trueNumber != null) {
            BigDecimal n = number(p);
            return n != null && n.compareTo(trueNumber) == 0;
        }
        return p.equals(t);
    }

    /** Trimmed, lower-case, without a final ".", runs of white space as one space. */
    static String normalize(String answer) {
        String s = answer.strip().toLowerCase(Locale.ROOT);
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        return s.replaceAll("\\s+", " ");
    }

    private static BigDecimal number(String s) {
        if (s.isEmpty() || s.length() > MAX_NUMBER_CHARS) {
            return null;
        }
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }
}
