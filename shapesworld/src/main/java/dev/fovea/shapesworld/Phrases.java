package dev.fovea.shapesworld;

import java.util.List;

/** English lists for captions: {@code a, b and c.} */
final class Phrases {
    private Phrases() {
    }

    /** "a." / "a and b." / "a, b and c." */
    static String list(List<String> items) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("nothing to list");
        }
        int last = items.size() - 1;
        String text = last == 0 ? items.getFirst()
                : String.join(", ", items.subList(0, last)) + " and " + items.get(last);
        return text + ".";
    }
}
