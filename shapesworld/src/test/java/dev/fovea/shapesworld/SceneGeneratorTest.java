package dev.fovea.shapesworld;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SceneGeneratorTest {

    @Test
    void ordinaryScenesKeepTheirSizesAspectsAndObjectsApart() {
        SplittableRandom rng = new SplittableRandom(1);
        boolean sawPortrait = false;
        boolean sawLandscape = false;
        for (int i = 0; i < 500; i++) {
            Scene s = SceneGenerator.scene(rng);
            int longSide = Math.max(s.width(), s.height());
            int shortSide = Math.min(s.width(), s.height());
            assertThat(longSide).isBetween(224, 1344);
            assertThat((double) longSide / shortSide).isLessThanOrEqualTo(2.01);
            sawPortrait |= s.height() > s.width() * 1.2;
            sawLandscape |= s.width() > s.height() * 1.2;
            assertThat(s.objects()).hasSizeBetween(1, 6);
            for (SceneObject o : s.objects()) {
                assertThat(o.size()).isBetween((int) Math.floor(0.08 * shortSide), (int) Math.ceil(0.25 * shortSide));
                assertThat(s.isSmall(o)).isFalse();
            }
            assertApartAndInside(s);
        }
        assertThat(sawPortrait).isTrue();
        assertThat(sawLandscape).isTrue();
    }

    @Test
    void smallObjectScenesHoldObjectsUnderTwoPercentOfTheirWidth() {
        SplittableRandom rng = new SplittableRandom(2);
        for (int i = 0; i < 300; i++) {
            Scene s = SceneGenerator.smallObjectScene(rng);
            assertThat(s.width()).isGreaterThanOrEqualTo(1000);
            assertThat(Math.max(s.width(), s.height())).isLessThanOrEqualTo(1344);
            List<SceneObject> small = s.objects().stream().filter(s::isSmall).toList();
            assertThat(small).isNotEmpty();
            for (SceneObject o : small) {
                assertThat((double) o.size()).isLessThan(0.02 * s.width()).isGreaterThanOrEqualTo(8);
            }
            assertApartAndInside(s);
        }
    }

    @Test
    void everyObjectIsDrawnInItsColourAndTheBackgroundIsVeryLight() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 100; i++) {
            Scene s = i % 2 == 0 ? SceneGenerator.scene(rng) : SceneGenerator.smallObjectScene(rng);
            BufferedImage img = SceneRenderer.render(s);
            assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
            for (SceneObject o : s.objects()) {
                // every shape covers its box's centre
                int centre = img.getRGB((int) o.centreX(), (int) o.centreY()) & 0xFFFFFF;
                assertThat(centre).isEqualTo(o.rgb());
                assertThat(Colors.nearest(centre)).isEqualTo(o.color());
            }
            assertThat(img.getRGB(0, 0) & 0xFFFFFF).isEqualTo(s.background());
            for (int shift : new int[] {16, 8, 0}) {
                assertThat((s.background() >> shift) & 0xFF).isGreaterThanOrEqualTo(225);
            }
        }
    }

    @Test
    void jitteredColoursStayNearestToTheirOwnName() {
        SplittableRandom rng = new SplittableRandom(4);
        for (NamedColor c : NamedColor.values()) {
            for (int i = 0; i < 200; i++) {
                assertThat(Colors.nearest(ColorJitter.object(c, rng))).isEqualTo(c);
            }
        }
    }

    @Test
    void shapesFillTheirBoxEdgeToEdge() {
        for (Shape shape : Shape.values()) {
            var bounds = ShapeOutline.of(shape, 10, 20, 50).getBounds2D();
            assertThat(bounds.getMinX()).isCloseTo(10, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(bounds.getMinY()).isCloseTo(20, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(bounds.getWidth()).isCloseTo(50, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(bounds.getHeight()).isCloseTo(50, org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    private static void assertApartAndInside(Scene s) {
        for (SceneObject o : s.objects()) {
            assertThat(o.x()).isGreaterThanOrEqualTo(0);
            assertThat(o.y()).isGreaterThanOrEqualTo(0);
            assertThat(o.right()).isLessThanOrEqualTo(s.width());
            assertThat(o.bottom()).isLessThanOrEqualTo(s.height());
            for (SceneObject other : s.objects()) {
                if (other != o) {
                    boolean apart = o.right() <= other.x() || other.right() <= o.x()
                            || o.bottom() <= other.y() || other.bottom() <= o.y();
                    assertThat(apart).as("%s and %s overlap", o, other).isTrue();
                }
            }
        }
    }
}
