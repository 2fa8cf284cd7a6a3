package dev.fovea.cli;

import java.util.Arrays;
import java.util.List;

/** Nearest-rank percentiles: the smallest value with at least p % of the values at or below it. */
final class Percentiles {
    private Percentiles() {
    }

    /** The p-th percentile (0 < p ≤ 100) of the values, NaN values left out; NaN when none is left. */
    static double of(List<Double> values, double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).filter(x -> !Double.isNaN(x)).toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(v);
        int rank = (int) Math.ceil(p * v.length / 100); // p * n first: exact for whole p
        return v[Math.max(0, rank - 1)];
    }
}
