package dev.fovea.shapesworld;

import java.util.List;

/**
 * A bar chart: image size, the plot area (value 0 at {@code plotBottom}, value {@link #MAX_VALUE} at
 * {@code plotTop}) and its bars, left to right.
 */
record BarChart(int width, int height, int plotLeft, int plotRight, int plotTop, int plotBottom, List<Bar> bars) {
    static final int MAX_VALUE = 10;

    /** One bar: its colour, the jittered RGB it is drawn in, its integer height and its horizontal extent. */
    record Bar(NamedColor color, int rgb, int value, int left, int right) {
    }

    BarChart {
        bars = List.copyOf(bars);
    }

    /** The pixel row of a value's grid line. */
    int y(int value) {
        return (int) Math.round(plotBottom - value * (plotBottom - plotTop) / (double) MAX_VALUE);
    }
}
