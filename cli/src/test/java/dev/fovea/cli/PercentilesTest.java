package dev.fovea.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PercentilesTest {
    @Test
    void nearestRankOnOneToAHundredAndOnFewValues() {
        List<Double> hundred = new ArrayList<>(IntStream.rangeClosed(1, 100).mapToObj(i -> (double) i).toList());
        java.util.Collections.shuffle(hundred, new java.util.Random(1));
        assertThat(Percentiles.of(hundred, 50)).isEqualTo(50);
        assertThat(Percentiles.of(hundred, 90)).isEqualTo(90);
        assertThat(Percentiles.of(hundred, 99)).isEqualTo(99);
        assertThat(Percentiles.of(hundred, 100)).isEqualTo(100);
        List<Double> ten = IntStream.rangeClosed(1, 10).mapToObj(i -> i * 10.0).toList();
        assertThat(Percentiles.of(ten, 50)).isEqualTo(50);
        assertThat(Percentiles.of(ten, 90)).isEqualTo(90);
        assertThat(Percentiles.of(ten, 99)).isEqualTo(100);
        assertThat(Percentiles.of(List.of(7.0), 1)).isEqualTo(7);
    }

    @Test
    void missingValuesAreLeftOutAndNoneGivesNaN() {
        assertThat(Percentiles.of(List.of(Double.NaN, 3.0, 1.0, Double.NaN, 2.0), 50)).isEqualTo(2);
        assertThat(Percentiles.of(List.of(), 50)).isNaN();
        assertThat(Percentiles.of(List.of(Double.NaN), 99)).isNaN();
        assertThatThrownBy(() -> Percentiles.of(List.of(1.0), 0)).hasMessageContaining("(0, 100]");
        assertThatThrownBy(() -> Percentiles.of(List.of(1.0), 101)).hasMessageContaining("101");
    }
}
