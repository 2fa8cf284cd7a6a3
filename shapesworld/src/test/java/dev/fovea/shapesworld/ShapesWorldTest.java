package dev.fovea.shapesworld;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShapesWorldTest {

    @Test
    void theSameSeedGivesTheSamePicturesAndQuestions() {
        ShapesWorld a = new ShapesWorld(42);
        ShapesWorld b = new ShapesWorld(42);
        for (int i = 0; i < 30; i++) {
            Picture pa = a.nextPicture();
            Picture pb = b.nextPicture();
            assertThat(pixels(pa.image())).isEqualTo(pixels(pb.image()));
            assertThat(pa.questions()).isEqualTo(pb.questions());
        }
    }

    @Test
    void otherSeedsAndTheTestStreamGiveOtherPictures() {
        Picture first = new ShapesWorld(42).nextPicture(PictureKind.SCENE);
        Picture otherSeed = new ShapesWorld(43).nextPicture(PictureKind.SCENE);
        Picture testStream = new ShapesWorld(42, ShapesWorld.TEST_SALT).nextPicture(PictureKind.SCENE);
        assertThat(first.questions()).isNotEqualTo(otherSeed.questions());
        assertThat(first.questions()).isNotEqualTo(testStream.questions());
    }

    @Test
    void theTrainingMixHasEveryKindAndEveryCategoryWithTheCaptionLast() {
        ShapesWorld world = new ShapesWorld(7);
        Set<String> categories = new HashSet<>();
        Map<PictureKind, Integer> kinds = new EnumMap<>(PictureKind.class);
        for (int i = 0; i < 200; i++) {
            Picture p = world.nextPicture();
            assertThat(p.image().getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
            assertThat(p.questions().getLast().category()).isEqualTo(Categories.CAPTION);
            assertThat(p.questions().getLast().question()).isEqualTo("Describe the image.");
            p.questions().forEach(q -> categories.add(q.category()));
            PictureKind kind = p.questions().getLast().answer().startsWith("a bar chart") ? PictureKind.BAR_CHART
                    : p.image().getWidth() >= 1000 && p.questions().stream().anyMatch(q -> q.category().equals("small"))
                    ? PictureKind.SMALL_OBJECTS : PictureKind.SCENE;
            kinds.merge(kind, 1, Integer::sum);
        }
        assertThat(categories).containsExactlyInAnyOrder("perception", "counting", "spatial", "math", "grounding",
                "small", "caption");
        assertThat(kinds.get(PictureKind.SCENE)).isBetween(90, 150);
        assertThat(kinds.get(PictureKind.SMALL_OBJECTS)).isBetween(20, 60);
        assertThat(kinds.get(PictureKind.BAR_CHART)).isBetween(20, 60);
    }

    @Test
    void smallObjectPicturesAreLargeAndTheirTimeIsReported() {
        ShapesWorld world = new ShapesWorld(9);
        for (int i = 0; i < 50; i++) {
            world.nextPicture(PictureKind.SMALL_OBJECTS); // warm up the JIT
        }
        int n = 100;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Picture p = world.nextPicture(PictureKind.SMALL_OBJECTS);
            assertThat(Math.max(p.image().getWidth(), p.image().getHeight())).isGreaterThanOrEqualTo(1000);
        }
        // a measurement, not a limit: speed is for benchmarks, a shared machine's timing is no test
        System.out.printf("small-object pictures (>= 1000 px): %.2f ms each%n", (System.nanoTime() - start) / 1e6 / n);
    }

    private static int[] pixels(BufferedImage img) {
        return ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
    }
}
