package dev.fovea.shapesworld;

import java.util.List;

/** The question categories the evaluation reports, and the training-only caption category. */
public final class Categories {
    public static final String PERCEPTION = "perception";
    public static final String COUNTING = "counting";
    public static final String SPATIAL = "spatial";
    public static final String MATH = "math";
    public static final String GROUNDING = "grounding";
    /** Perception questions whose subject is an object under 2 % of the width of an image ≥ 1,000 px wide. */
    public static final String SMALL = "small";
    /** "Describe the image." — for the alignment stage; not part of the test sets. */
    public static final String CAPTION = "caption";

    /** The categories a generated test set balances over, in report order. */
    public static final List<String> EVALUATED = List.of(PERCEPTION, COUNTING, SPATIAL, MATH, GROUNDING, SMALL);

    private Categories() {
    }
}
