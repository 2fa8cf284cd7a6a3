package dev.fovea.gateway.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.gateway.pipeline.Tiling;
import dev.fovea.proto.v1.Crop;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroundingTest {
    @Test
    void qwenVlBoxesBecomePixelBoxesOfTheImage() {
        String text = "The <ref>dog</ref><box>(100,200),(500,1000)</box> sits by <ref>two cups</ref>"
                + "<box>(0,0),(250,250)</box><box>(750,750),(1000,1000)</box>.";
        assertThat(Grounding.boxes(text, 640, 480)).containsExactly(
                new GroundingBox("dog", 64, 96, 320, 480),
                new GroundingBox("two cups", 0, 0, 160, 120),
                new GroundingBox("two cups", 480, 360, 640, 480));
    }

    @Test
    void malformedOrOversizedCoordinatesAreSkippedOrClamped() {
        assertThat(Grounding.boxes("<ref>a</ref><box>(1,2)</box> no box", 100, 100)).isEmpty();
        assertThat(Grounding.boxes("<ref>a</ref><box>(99999999999,0),(2000,10)</box>", 100, 100))
                .containsExactly(new GroundingBox("a", 100, 0, 100, 1));
    }

    @Test
    void subImagesAreTheGlobalViewThenTwoByTwoSourceCrops() {
        List<Crop> views = TilePlanner.views(Tiling.SUBIMAGES, 120, 80);
        assertThat(views).hasSize(5);
        assertThat(views.get(0)).isNull();
        assertThat(views.get(1)).isEqualTo(Crop.newBuilder().setX(0).setY(0).setWidth(60).setHeight(40).build());
        assertThat(views.get(4)).isEqualTo(Crop.newBuilder().setX(60).setY(40).setWidth(60).setHeight(40).build());
        assertThat(TilePlanner.views(Tiling.NONE, 120, 80)).containsExactly((Crop) null);
    }
}
