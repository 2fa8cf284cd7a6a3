package dev.fovea.shapesworld;

/** What a picture shows. */
public enum PictureKind {
    /** 1–6 clearly visible objects on a light background. */
    SCENE,
    /** A scene of at least 1,000 px width in which some objects are under 2 % of the width. */
    SMALL_OBJECTS,
    /** 3–6 vertical bars with integer heights over a grid. */
    BAR_CHART
}
