package dev.fovea.training;

import dev.fovea.shapesworld.Categories;
import dev.fovea.shapesworld.QuestionAnswer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Which of a picture's questions a training step asks. The alignment stage asks the caption only; the instruction
 * stage takes questions round-robin over the categories the picture has (in a random order), so rare categories
 * (grounding, the small-object questions) are as frequent per picture as the plentiful ones, and adds the caption
 * now and then so the alignment is kept.
 */
final class QuestionMix {
    enum Stage { ALIGNMENT, INSTRUCTION }

    private static final double CAPTION_RATE = 0.15;

    private QuestionMix() {
    }

    static List<QuestionAnswer> choose(List<QuestionAnswer> all, Stage stage, int perPicture, SplittableRandom rng) {
        Map<String, List<QuestionAnswer>> byCategory = new LinkedHashMap<>();
        for (QuestionAnswer qa : all) {
            byCategory.computeIfAbsent(qa.category(), k -> new ArrayList<>()).add(qa);
        }
        List<QuestionAnswer> captions = byCategory.remove(Categories.CAPTION);
        List<QuestionAnswer> out = new ArrayList<>();
        if (stage == Stage.ALIGNMENT || byCategory.isEmpty()) {
            if (captions != null) {
                out.add(captions.get(rng.nextInt(captions.size())));
            }
            return out;
        }
        if (captions != null && rng.nextDouble() < CAPTION_RATE) {
            out.add(captions.get(rng.nextInt(captions.size())));
        }
        List<List<QuestionAnswer>> pools = new ArrayList<>();
        for (List<QuestionAnswer> pool : byCategory.values()) {
            List<QuestionAnswer> shuffled = new ArrayList<>(pool);
            shuffle(shuffled, rng);
            pools.add(shuffled);
        }
        shuffle(pools, rng);
        int[] next = new int[pools.size()];
        boolean any = true;
        while (out.size() < perPicture && any) {
            any = false;
            for (int c = 0; c < pools.size() && out.size() < perPicture; c++) {
                if (next[c] < pools.get(c).size()) {
                    out.add(pools.get(c).get(next[c]++));
                    any = true;
                }
            }
        }
        return out;
    }

    private static <T> void shuffle(List<T> list, SplittableRandom rng) {
        for (int i = list.size() - 1; i > 0; i--) {
            Collections.swap(list, i, rng.nextInt(i + 1));
        }
    }
}
