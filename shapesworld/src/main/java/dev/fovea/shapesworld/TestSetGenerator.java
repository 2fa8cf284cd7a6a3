package dev.fovea.shapesworld;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Picks a test set's questions from the test stream: each category gets its share of {@code n} (the first
 * categories one more when {@code n} does not divide by six), each picture gives at most
 * {@link #MAX_PER_PICTURE} questions (different categories first), and only pictures that gave one are written.
 */
final class TestSetGenerator {
    static final int MAX_PER_PICTURE = 3;
    /** Salt of the stream that picks questions, apart from the one that draws pictures. */
    private static final long PICK_SALT = 0x5049_434BL;

    private TestSetGenerator() {
    }

    static List<TestQuestion> generate(int n, long seed, Path dir) throws IOException {
        Map<String, Integer> wanted = new LinkedHashMap<>();
        List<String> categories = Categories.EVALUATED;
        for (int i = 0; i < categories.size(); i++) {
            wanted.put(categories.get(i), n / categories.size() + (i < n % categories.size() ? 1 : 0));
        }
        ShapesWorld world = new ShapesWorld(seed, ShapesWorld.TEST_SALT);
        SplittableRandom pick = new SplittableRandom(seed ^ ShapesWorld.TEST_SALT ^ PICK_SALT);
        List<TestQuestion> out = new ArrayList<>();
        int pictures = 0;
        int drawn = 0;
        while (out.size() < n) {
            if (++drawn > 100 * n + 1000) { // every kind offers every category it serves; this is a bug guard
                throw new IllegalStateException("could not fill the categories " + wanted);
            }
            Picture picture = world.nextPicture(kindFor(neediest(wanted), pick));
            List<QuestionAnswer> chosen = choose(picture.questions(), wanted, pick);
            if (chosen.isEmpty()) {
                continue;
            }
            pictures++;
            String image = String.format(Locale.ROOT, "img-%05d.png", pictures);
            ImageIO.write(picture.image(), "png", dir.resolve(image).toFile());
            for (QuestionAnswer qa : chosen) {
                String id = String.format(Locale.ROOT, "q-%05d", out.size() + 1);
                out.add(new TestQuestion(id, image, qa.question(), qa.answer(), qa.category()));
            }
        }
        return out;
    }

    /** The category furthest from its share (the first of them on a tie). */
    private static String neediest(Map<String, Integer> wanted) {
        return wanted.entrySet().stream().max((a, b) -> Integer.compare(a.getValue(), b.getValue()))
                .orElseThrow().getKey();
    }

    /** Small questions need small-object scenes; math comes from bar charts two times in three, else scenes. */
    private static PictureKind kindFor(String category, SplittableRandom pick) {
        return switch (category) {
            case Categories.SMALL -> PictureKind.SMALL_OBJECTS;
            case Categories.MATH -> pick.nextInt(3) < 2 ? PictureKind.BAR_CHART : PictureKind.SCENE;
            default -> PictureKind.SCENE;
        };
    }

    /**
     * Up to {@link #MAX_PER_PICTURE} questions of categories still short, in random order: one per category first,
     * then more of the same if room is left. Counts the choices off {@code wanted}.
     */
    private static List<QuestionAnswer> choose(List<QuestionAnswer> all, Map<String, Integer> wanted,
            SplittableRandom pick) {
        List<QuestionAnswer> open = new ArrayList<>(all.stream()
                .filter(q -> wanted.getOrDefault(q.category(), 0) > 0).toList());
        for (int i = open.size() - 1; i > 0; i--) { // Fisher–Yates with the pick stream
            int j = pick.nextInt(i + 1);
            QuestionAnswer t = open.get(i);
            open.set(i, open.get(j));
            open.set(j, t);
        }
        List<QuestionAnswer> chosen = new ArrayList<>();
        Set<String> categoriesTaken = new HashSet<>();
        for (boolean firstPass : new boolean[] {true, false}) {
            for (QuestionAnswer q : open) {
                if (chosen.size() == MAX_PER_PICTURE) {
                    return chosen;
                }
                if (chosen.contains(q) || wanted.get(q.category()) == 0
                        || firstPass && !categoriesTaken.add(q.category())) {
                    continue;
                }
                chosen.add(q);
                wanted.merge(q.category(), -1, Integer::sum);
            }
        }
        return chosen;
    }
}
