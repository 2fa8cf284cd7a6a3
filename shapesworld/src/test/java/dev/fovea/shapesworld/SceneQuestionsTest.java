package dev.fovea.shapesworld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every question of many random scenes is matched against the templates and its answer recomputed here from the
 * scene's objects — and, for colours, from the drawn pixels — by code that shares nothing with the generator's.
 */
class SceneQuestionsTest {
    private static final Pattern COLOR_OF = Pattern.compile("What color is the (\\w+)\\?");
    private static final Pattern SHAPE_OF = Pattern.compile("What shape is the (\\w+) object\\?");
    private static final Pattern IS_THERE = Pattern.compile("Is there an? (\\w+) (\\w+)\\?");
    private static final Pattern HOW_MANY_OBJECTS = Pattern.compile("How many objects are there\\?");
    private static final Pattern HOW_MANY_COLOR = Pattern.compile("How many (\\w+) objects are there\\?");
    private static final Pattern HOW_MANY_SHAPE = Pattern.compile("How many (\\w+)s are there\\?");
    private static final Pattern LEFT_OF = Pattern.compile("Is the (\\w+) (\\w+) left of the (\\w+) (\\w+)\\?");
    private static final Pattern ABOVE = Pattern.compile("Is the (\\w+) (\\w+) above the (\\w+) (\\w+)\\?");
    private static final Pattern EXTREME = Pattern.compile("Which object is the (leftmost|rightmost|topmost|bottommost)\\?");
    private static final Pattern MORE = Pattern.compile("How many more (\\w+)s than (\\w+)s are there\\?");
    private static final Pattern WHERE = Pattern.compile("Where is the (\\w+) (\\w+)\\?");

    @Test
    void everyAnswerIsRightForTheDrawnScene() {
        SplittableRandom rng = new SplittableRandom(11);
        Map<String, Integer> seen = new java.util.TreeMap<>();
        for (int i = 0; i < 400; i++) {
            Scene scene = i % 3 == 2 ? SceneGenerator.smallObjectScene(rng) : SceneGenerator.scene(rng);
            BufferedImage img = SceneRenderer.render(scene);
            List<QuestionAnswer> questions = SceneQuestions.ask(scene, rng);
            for (QuestionAnswer qa : questions) {
                String template = check(scene, img, qa);
                seen.merge(template, 1, Integer::sum);
            }
            assertThat(questions.getLast().category()).isEqualTo(Categories.CAPTION);
        }
        assertThat(seen.keySet()).containsExactlyInAnyOrder("color-of", "shape-of", "is-there", "how-many-objects",
                "how-many-color", "how-many-shape", "left-of", "above", "extreme", "more", "where", "caption");
    }

    /** Checks one question's answer and category; returns which template it is. */
    private static String check(Scene scene, BufferedImage img, QuestionAnswer qa) {
        String q = qa.question();
        String a = qa.answer();
        Matcher m;
        if ((m = COLOR_OF.matcher(q)).matches()) {
            List<SceneObject> of = objects(scene, null, shape(m.group(1)));
            assertThat(of).hasSize(1);
            SceneObject o = of.getFirst();
            int pixel = img.getRGB((int) o.centreX(), (int) o.centreY()) & 0xFFFFFF;
            assertThat(a).isEqualTo(Colors.nearest(pixel).word());
            assertPerceptionCategory(scene, qa, List.of(o));
            return "color-of";
        }
        if ((m = SHAPE_OF.matcher(q)).matches()) {
            List<SceneObject> of = objects(scene, color(m.group(1)), null);
            assertThat(of).hasSize(1);
            assertThat(a).isEqualTo(of.getFirst().shape().name().toLowerCase(Locale.ROOT));
            assertPerceptionCategory(scene, qa, of);
            return "shape-of";
        }
        if ((m = IS_THERE.matcher(q)).matches()) {
            List<SceneObject> of = objects(scene, color(m.group(1)), shape(m.group(2)));
            assertThat(a).isEqualTo(of.isEmpty() ? "no" : "yes");
            assertThat(q).startsWith(m.group(1).equals("orange") ? "Is there an " : "Is there a ");
            if (!of.isEmpty()) {
                assertPerceptionCategory(scene, qa, of);
            }
            return "is-there";
        }
        if (HOW_MANY_OBJECTS.matcher(q).matches()) {
            assertThat(a).isEqualTo(Integer.toString(scene.objects().size()));
            assertThat(qa.category()).isEqualTo("counting");
            return "how-many-objects";
        }
        if ((m = HOW_MANY_COLOR.matcher(q)).matches()) {
            assertThat(a).isEqualTo(Integer.toString(objects(scene, color(m.group(1)), null).size()));
            assertThat(qa.category()).isEqualTo("counting");
            return "how-many-color";
        }
        if ((m = HOW_MANY_SHAPE.matcher(q)).matches()) {
            assertThat(a).isEqualTo(Integer.toString(objects(scene, null, shape(m.group(1))).size()));
            assertThat(qa.category()).isEqualTo("counting");
            return "how-many-shape";
        }
        if ((m = LEFT_OF.matcher(q)).matches() || (m = ABOVE.matcher(q)).matches()) {
            boolean left = q.contains(" left of ");
            SceneObject x = unique(scene, m.group(1), m.group(2));
            SceneObject y = unique(scene, m.group(3), m.group(4));
            double ax = left ? x.x() + x.size() / 2.0 : x.y() + x.size() / 2.0;
            double bx = left ? y.x() + y.size() / 2.0 : y.y() + y.size() / 2.0;
            assertThat(Math.abs(ax - bx)).isGreaterThan(0.05 * (left ? scene.width() : scene.height()));
            assertThat(a).isEqualTo(ax < bx ? "yes" : "no");
            assertThat(qa.category()).isEqualTo("spatial");
            return left ? "left-of" : "above";
        }
        if ((m = EXTREME.matcher(q)).matches()) {
            String which = m.group(1);
            boolean horizontal = which.equals("leftmost") || which.equals("rightmost");
            boolean least = which.equals("leftmost") || which.equals("topmost");
            Comparator<SceneObject> order = Comparator.comparingDouble(o -> horizontal ? o.x() + o.size() / 2.0
                    : o.y() + o.size() / 2.0);
            List<SceneObject> sorted = new ArrayList<>(scene.objects());
            sorted.sort(least ? order : order.reversed());
            double gap = Math.abs(centre(sorted.get(0), horizontal) - centre(sorted.get(1), horizontal));
            assertThat(gap).isGreaterThan(0.05 * (horizontal ? scene.width() : scene.height()));
            assertThat(a).isEqualTo(sorted.getFirst().color().word() + " " + sorted.getFirst().shape().word());
            assertThat(qa.category()).isEqualTo("spatial");
            return "extreme";
        }
        if ((m = MORE.matcher(q)).matches()) {
            int n1 = objects(scene, null, shape(m.group(1))).size();
            int n2 = objects(scene, null, shape(m.group(2))).size();
            assertThat(n1).isGreaterThanOrEqualTo(n2).isPositive();
            assertThat(a).isEqualTo(Integer.toString(n1 - n2));
            assertThat(qa.category()).isEqualTo("math");
            return "more";
        }
        if ((m = WHERE.matcher(q)).matches()) {
            SceneObject o = unique(scene, m.group(1), m.group(2));
            Matcher box = Pattern.compile("<box>\\((\\d+),(\\d+)\\),\\((\\d+),(\\d+)\\)</box>").matcher(a);
            assertThat(box.matches()).as(a).isTrue();
            // back to pixels: within the rounding of the 0–1000 grid
            double px = scene.width() / 1000.0;
            double py = scene.height() / 1000.0;
            assertThat(Integer.parseInt(box.group(1)) * px).isCloseTo(o.x(), org.assertj.core.data.Offset.offset(px));
            assertThat(Integer.parseInt(box.group(2)) * py).isCloseTo(o.y(), org.assertj.core.data.Offset.offset(py));
            assertThat(Integer.parseInt(box.group(3)) * px).isCloseTo(o.x() + o.size(), org.assertj.core.data.Offset.offset(px));
            assertThat(Integer.parseInt(box.group(4)) * py).isCloseTo(o.y() + o.size(), org.assertj.core.data.Offset.offset(py));
            assertThat(qa.category()).isEqualTo("grounding");
            return "where";
        }
        if (q.equals("Describe the image.")) {
            List<SceneObject> byX = new ArrayList<>(scene.objects());
            // left to right; objects whose centres share a column, top to bottom
            byX.sort(Comparator.comparingDouble((SceneObject o) -> o.x() + o.size() / 2.0)
                    .thenComparingDouble(o -> o.y() + o.size() / 2.0));
            List<String> names = byX.stream().map(o -> (o.color() == NamedColor.ORANGE ? "an " : "a ")
                    + o.color().word() + " " + o.shape().word()).toList();
            String expected = names.size() == 1 ? names.getFirst() + "."
                    : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.getLast() + ".";
            assertThat(a).isEqualTo(expected);
            assertThat(qa.category()).isEqualTo("caption");
            return "caption";
        }
        return fail("no template matches '" + q + "'");
    }

    /** Small when the scene is a small-object one and every object the question is about is under 2 % wide. */
    private static void assertPerceptionCategory(Scene scene, QuestionAnswer qa, List<SceneObject> about) {
        boolean small = scene.width() >= 1000 && scene.smallObjects()
                && about.stream().allMatch(o -> o.size() < 0.02 * scene.width());
        assertThat(qa.category()).as(qa.question()).isEqualTo(small ? "small" : "perception");
    }

    private static double centre(SceneObject o, boolean horizontal) {
        return horizontal ? o.x() + o.size() / 2.0 : o.y() + o.size() / 2.0;
    }

    private static SceneObject unique(Scene scene, String color, String shape) {
        List<SceneObject> of = objects(scene, color(color), shape(shape));
        assertThat(of).as("'the %s %s' names one object", color, shape).hasSize(1);
        return of.getFirst();
    }

    private static List<SceneObject> objects(Scene scene, NamedColor c, Shape s) {
        return scene.objects().stream().filter(o -> (c == null || o.color() == c) && (s == null || o.shape() == s))
                .toList();
    }

    private static Shape shape(String word) {
        return Shape.valueOf(word.toUpperCase(Locale.ROOT));
    }

    private static NamedColor color(String word) {
        return NamedColor.valueOf(word.toUpperCase(Locale.ROOT));
    }

    @Test
    void isThereQuestionsAnswerYesAndNoEquallyOftenInEachCategory() {
        SplittableRandom rng = new SplittableRandom(12);
        Map<String, int[]> yesNo = new java.util.TreeMap<>();
        for (int i = 0; i < 300; i++) {
            Scene scene = i % 2 == 0 ? SceneGenerator.smallObjectScene(rng) : SceneGenerator.scene(rng);
            for (QuestionAnswer qa : SceneQuestions.ask(scene, rng)) {
                if (IS_THERE.matcher(qa.question()).matches()) {
                    yesNo.computeIfAbsent(qa.category(), k -> new int[2])[qa.answer().equals("yes") ? 0 : 1]++;
                }
            }
        }
        assertThat(yesNo.keySet()).containsExactly("perception", "small");
        for (int[] counts : yesNo.values()) {
            assertThat(counts[0]).isPositive().isEqualTo(counts[1]);
        }
    }

    @Test
    void spatialYesNoAreRoughlyBalancedAndZeroCountsAreSometimesButNotMostlyAsked() {
        SplittableRandom rng = new SplittableRandom(13);
        int yes = 0;
        int no = 0;
        Map<String, int[]> zeroOfAll = new java.util.TreeMap<>();
        for (int i = 0; i < 400; i++) {
            for (QuestionAnswer qa : SceneQuestions.ask(SceneGenerator.scene(rng), rng)) {
                if (LEFT_OF.matcher(qa.question()).matches() || ABOVE.matcher(qa.question()).matches()) {
                    if (qa.answer().equals("yes")) {
                        yes++;
                    } else {
                        no++;
                    }
                }
                String kind = HOW_MANY_OBJECTS.matcher(qa.question()).matches() ? null
                        : HOW_MANY_COLOR.matcher(qa.question()).matches() ? "color"
                        : HOW_MANY_SHAPE.matcher(qa.question()).matches() ? "shape" : null;
                if (kind != null) {
                    int[] c = zeroOfAll.computeIfAbsent(kind, k -> new int[2]);
                    c[0] += qa.answer().equals("0") ? 1 : 0;
                    c[1]++;
                }
            }
        }
        assertThat((double) yes / (yes + no)).isBetween(0.4, 0.6);
        for (int[] c : zeroOfAll.values()) {
            assertThat((double) c[0] / c[1]).isBetween(0.03, 0.3);
        }
    }

    @Test
    void questionsAreTheSameForTheSameSeed() {
        Scene a = SceneGenerator.scene(new SplittableRandom(5));
        Scene b = SceneGenerator.scene(new SplittableRandom(5));
        assertThat(a).isEqualTo(b);
        assertThat(SceneQuestions.ask(a, new SplittableRandom(6))).isEqualTo(SceneQuestions.ask(b, new SplittableRandom(6)));
    }
}
