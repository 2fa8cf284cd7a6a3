package dev.fovea.shapesworld;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Every question the templates can ask about a scene, with its answer, in a fixed order: perception (and small),
 * counting, spatial, math, grounding, caption. Random choices (which absent objects to ask about, in which order
 * to name two objects) come from {@code rng}, so the list is deterministic for a seed.
 */
final class SceneQuestions {
    /** Positions closer than this fraction of the image (width for left/right, height for above) are not compared. */
    static final double SPATIAL_GAP = 0.05;
    /** How often a counting question about an absent shape or colour (answer 0) joins the present ones. */
    private static final double ZERO_COUNT_CHANCE = 0.3;
    /** How often an "Is there" question that answers "no" is a near miss of a present object. */
    private static final double NEAR_MISS_CHANCE = 0.7;

    private final Scene scene;
    private final SplittableRandom rng;
    private final List<QuestionAnswer> out = new ArrayList<>();

    private SceneQuestions(Scene scene, SplittableRandom rng) {
        this.scene = scene;
        this.rng = rng;
    }

    static List<QuestionAnswer> ask(Scene scene, SplittableRandom rng) {
        SceneQuestions q = new SceneQuestions(scene, rng);
        q.perception();
        q.counting();
        q.spatial();
        q.math();
        q.grounding();
        q.caption();
        return List.copyOf(q.out);
    }

    private void add(String question, String answer, String category) {
        out.add(new QuestionAnswer(question, answer, category));
    }

    /** Perception, or small when the object it is about is a small one. */
    private String perceptionOf(boolean small) {
        return small ? Categories.SMALL : Categories.PERCEPTION;
    }

    private void perception() {
        for (Shape s : Shape.values()) {
            List<SceneObject> of = scene.objects().stream().filter(o -> o.shape() == s).toList();
            if (of.size() == 1) {
                add("What color is the " + s.word() + "?", of.getFirst().color().word(),
                        perceptionOf(scene.isSmall(of.getFirst())));
            }
        }
        for (NamedColor c : NamedColor.values()) {
            List<SceneObject> of = scene.objects().stream().filter(o -> o.color() == c).toList();
            if (of.size() == 1) {
                add("What shape is the " + c.word() + " object?", of.getFirst().shape().word(),
                        perceptionOf(scene.isSmall(of.getFirst())));
            }
        }
        // one "yes" per colour-and-shape present, each paired with one "no", so the answers are balanced
        Set<String> asked = new HashSet<>();
        for (NamedColor c : NamedColor.values()) {
            for (Shape s : Shape.values()) {
                List<SceneObject> named = scene.named(c, s);
                if (named.isEmpty()) {
                    continue;
                }
                String category = perceptionOf(named.stream().allMatch(scene::isSmall));
                asked.add(c + " " + s);
                add(isThere(c, s), "yes", category);
                Absent no = absentNear(c, s, asked);
                if (no != null) {
                    asked.add(no.color() + " " + no.shape());
                    add(isThere(no.color(), no.shape()), "no", category);
                }
            }
        }
    }

    private static String isThere(NamedColor c, Shape s) {
        return "Is there " + c.article() + " " + c.word() + " " + s.word() + "?";
    }

    private record Absent(NamedColor color, Shape shape) {
    }

    /**
     * A colour-and-shape the scene lacks and no question asked yet: mostly a near miss of {@code (c, s)} (same
     * colour or same shape), which takes looking at that object to answer; otherwise any.
     */
    private Absent absentNear(NamedColor c, Shape s, Set<String> asked) {
        List<Absent> near = new ArrayList<>();
        List<Absent> any = new ArrayList<>();
        for (NamedColor c2 : NamedColor.values()) {
            for (Shape s2 : Shape.values()) {
                if (asked.contains(c2 + " " + s2) || !scene.named(c2, s2).isEmpty()) {
                    continue;
                }
                any.add(new Absent(c2, s2));
                if (c2 == c || s2 == s) {
                    near.add(new Absent(c2, s2));
                }
            }
        }
        boolean nearMiss = rng.nextDouble() < NEAR_MISS_CHANCE;
        List<Absent> from = nearMiss && !near.isEmpty() ? near : any;
        return from.isEmpty() ? null : from.get(rng.nextInt(from.size()));
    }

    private void counting() {
        List<Shape> absentShapes = new ArrayList<>();
        for (Shape s : Shape.values()) {
            long n = scene.count(s);
            if (n > 0) {
                add("How many " + s.plural() + " are there?", Long.toString(n), Categories.COUNTING);
            } else {
                absentShapes.add(s);
            }
        }
        if (!absentShapes.isEmpty() && rng.nextDouble() < ZERO_COUNT_CHANCE) {
            Shape s = absentShapes.get(rng.nextInt(absentShapes.size()));
            add("How many " + s.plural() + " are there?", "0", Categories.COUNTING);
        }
        List<NamedColor> absentColors = new ArrayList<>();
        for (NamedColor c : NamedColor.values()) {
            long n = scene.count(c);
            if (n > 0) {
                add("How many " + c.word() + " objects are there?", Long.toString(n), Categories.COUNTING);
            } else {
                absentColors.add(c);
            }
        }
        if (!absentColors.isEmpty() && rng.nextDouble() < ZERO_COUNT_CHANCE) {
            NamedColor c = absentColors.get(rng.nextInt(absentColors.size()));
            add("How many " + c.word() + " objects are there?", "0", Categories.COUNTING);
        }
        add("How many objects are there?", Integer.toString(scene.objects().size()), Categories.COUNTING);
    }

    private void spatial() {
        List<SceneObject> named = scene.objects().stream().filter(scene::uniquelyNamed).toList();
        double xGap = SPATIAL_GAP * scene.width();
        double yGap = SPATIAL_GAP * scene.height();
        for (int i = 0; i < named.size(); i++) {
            for (int j = i + 1; j < named.size(); j++) {
                // which of the two is named first is random, so "yes" and "no" come equally often
                SceneObject a = named.get(i);
                SceneObject b = named.get(j);
                if (rng.nextBoolean()) {
                    a = named.get(j);
                    b = named.get(i);
                }
                if (Math.abs(a.centreX() - b.centreX()) > xGap) {
                    add("Is the " + a.name() + " left of the " + b.name() + "?",
                            a.centreX() < b.centreX() ? "yes" : "no", Categories.SPATIAL);
                }
                if (rng.nextBoolean()) {
                    SceneObject t = a;
                    a = b;
                    b = t;
                }
                if (Math.abs(a.centreY() - b.centreY()) > yGap) {
                    add("Is the " + a.name() + " above the " + b.name() + "?",
                            a.centreY() < b.centreY() ? "yes" : "no", Categories.SPATIAL);
                }
            }
        }
        extreme("leftmost", SceneObject::centreX, xGap);
        extreme("rightmost", o -> -o.centreX(), xGap);
        extreme("topmost", SceneObject::centreY, yGap);
        extreme("bottommost", o -> -o.centreY(), yGap);
    }

    /** "Which object is the {word}?" when the object with the least {@code key} leads the next by more than the gap. */
    private void extreme(String word, ToDoubleFunction<SceneObject> key, double gap) {
        if (scene.objects().size() < 2) {
            return;
        }
        List<SceneObject> sorted = scene.objects().stream().sorted(Comparator.comparingDouble(key)).toList();
        if (key.applyAsDouble(sorted.get(1)) - key.applyAsDouble(sorted.getFirst()) > gap) {
            add("Which object is the " + word + "?", sorted.getFirst().name(), Categories.SPATIAL);
        }
    }

    private void math() {
        List<Shape> present = new ArrayList<>();
        for (Shape s : Shape.values()) {
            if (scene.count(s) > 0) {
                present.add(s);
            }
        }
        if (present.size() == 1) {
            // with one shape only, the other shape is absent: the answer is the whole count
            Shape s1 = present.getFirst();
            List<Shape> others = new ArrayList<>(List.of(Shape.values()));
            others.remove(s1);
            howManyMore(s1, others.get(rng.nextInt(others.size())));
            return;
        }
        for (Shape s1 : present) {
            for (Shape s2 : present) {
                long d = scene.count(s1) - scene.count(s2);
                if (s1 != s2 && (d > 0 || d == 0 && s1.ordinal() < s2.ordinal())) {
                    howManyMore(s1, s2);
                }
            }
        }
    }

    private void howManyMore(Shape s1, Shape s2) {
        add("How many more " + s1.plural() + " than " + s2.plural() + " are there?",
                Long.toString(scene.count(s1) - scene.count(s2)), Categories.MATH);
    }

    private void grounding() {
        for (SceneObject o : scene.objects()) {
            if (scene.uniquelyNamed(o)) {
                add("Where is the " + o.name() + "?", GroundingBox.of(o, scene.width(), scene.height()).text(),
                        Categories.GROUNDING);
            }
        }
    }

    private void caption() {
        List<String> items = scene.objects().stream()
                .sorted(Comparator.comparingDouble(SceneObject::centreX).thenComparingDouble(SceneObject::centreY))
                .map(SceneObject::withArticle).toList();
        add(Captions.QUESTION, Phrases.list(items), Categories.CAPTION);
    }
}
