package dev.fovea.shapesworld;

import java.util.Arrays;
import java.util.Comparator;

/** Test helper: which named colour a pixel is closest to, judged from the pixel alone. */
final class Colors {
    private Colors() {
    }

    static NamedColor nearest(int rgb) {
        return Arrays.stream(NamedColor.values()).min(Comparator.comparingInt(c -> distance(c.rgb(), rgb))).orElseThrow();
    }

    static int distance(int a, int b) {
        int d = 0;
        for (int shift : new int[] {16, 8, 0}) {
            int x = ((a >> shift) & 0xFF) - ((b >> shift) & 0xFF);
            d += x * x;
        }
        return d;
    }
}
