package dev.fovea.gateway.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Qwen-VL grounding in generated text: {@code <ref>label</ref><box>(x1,y1),(x2,y2)</box>} with coordinates on a
 * 0–1000 grid over the image. A {@code <box>} without its own {@code <ref>} belongs to the last label (Qwen-VL
 * writes several boxes after one ref).
 */
final class Grounding {
    private static final Pattern BOX = Pattern.compile(
            "(?:<ref>(.*?)</ref>\\s*)?<box>\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)\\s*,\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)\\s*</box>",
            Pattern.DOTALL);
    private static final double GRID = 1000.0;

    private Grounding() {
    }

    static List<GroundingBox> boxes(String text, int width, int height) {
        List<GroundingBox> out = new ArrayList<>();
        String label = "";
        Matcher m = BOX.matcher(text);
        while (m.find()) {
            if (m.group(1) != null) {
                label = m.group(1).strip();
            }
            out.add(new GroundingBox(label, px(m.group(2), width), px(m.group(3), height), px(m.group(4), width),
                    px(m.group(5), height)));
        }
        return out;
    }

    private static double px(String coordinate, int size) {
        // digits only (the pattern), but possibly very many: clamp before scaling
        double v = coordinate.length() > 4 ? GRID : Math.min(GRID, Integer.parseInt(coordinate));
        return v / GRID * size;
    }
}
