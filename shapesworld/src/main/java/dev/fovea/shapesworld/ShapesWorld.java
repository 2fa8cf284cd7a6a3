package dev.fovea.shapesworld;

import java.util.SplittableRandom;

/**
 * The generator: an endless, seeded stream of pictures with every question the templates can ask about each.
 * The same seed gives the same pictures and questions in the same order on every machine; nothing reads the
 * clock. Not thread-safe: give each thread its own world (with its own seed).
 *
 * <p>Each picture draws from its own {@link SplittableRandom#split() split} of the world's stream, so a picture
 * depends only on the seed and on how many pictures came before it.
 */
public final class ShapesWorld {
    /** Salts of the two streams: a test set never shows a training picture made from the same seed. */
    static final long TRAINING_SALT = 0x5348_4150_4553_5452L;
    static final long TEST_SALT = 0x5348_4150_4553_5445L;
    /** The training mix, out of 100: scenes, small-object scenes, the rest bar charts. */
    static final int SCENE_SHARE = 60;
    static final int SMALL_OBJECTS_SHARE = 20;

    private final SplittableRandom stream;

    /** A world for training: the stream of {@code seed}. */
    public ShapesWorld(long seed) {
        this(seed, TRAINING_SALT);
    }

    ShapesWorld(long seed, long salt) {
        this.stream = new SplittableRandom(seed ^ salt);
    }

    /**
     * The next picture of the training mix (60 % scenes, 20 % small-object scenes, 20 % bar charts) with all
     * askable questions of every category for it, its caption (category "caption") last.
     */
    public Picture nextPicture() {
        int r = stream.nextInt(100);
        PictureKind kind = r < SCENE_SHARE ? PictureKind.SCENE
                : r < SCENE_SHARE + SMALL_OBJECTS_SHARE ? PictureKind.SMALL_OBJECTS : PictureKind.BAR_CHART;
        return nextPicture(kind);
    }

    /** The next picture of a given kind, with all askable questions about it. */
    public Picture nextPicture(PictureKind kind) {
        SplittableRandom rng = stream.split();
        return switch (kind) {
            case SCENE -> picture(SceneGenerator.scene(rng), rng);
            case SMALL_OBJECTS -> picture(SceneGenerator.smallObjectScene(rng), rng);
            case BAR_CHART -> {
                BarChart chart = BarChartGenerator.chart(rng);
                yield new Picture(BarChartRenderer.render(chart), BarChartQuestions.ask(chart, rng),
                        chart.bars().stream().map(b -> DrawnObject.of(chart, b)).toList());
            }
        };
    }

    private static Picture picture(Scene scene, SplittableRandom rng) {
        return new Picture(SceneRenderer.render(scene), SceneQuestions.ask(scene, rng),
                scene.objects().stream().map(DrawnObject::of).toList());
    }
}
