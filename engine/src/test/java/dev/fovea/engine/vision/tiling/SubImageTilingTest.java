package dev.fovea.engine.vision.tiling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.vision.FeatureMap;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubImageTilingTest {
    @Test
    void globalViewThenFourSubImagesOf224() {
        SubImagePlan plan = SubImageTiling.sphinx(224).plan(448, 448);
        assertThat(plan.inputCount()).isEqualTo(5);
        List<LabelImage> inputs = plan.render(LabelImage.ofCoordinates(448, 448), LabelImage.OPS);
        assertThat(inputs).hasSize(5);
        // global view: every second pixel of the 448 image
        assertThat(inputs.get(0).at(1, 1)).isEqualTo(2 * 448 + 2);
        // sub-image (0, 1) starts at x = 224 of the image; (1, 0) at y = 224
        assertThat(inputs.get(2).at(0, 0)).isEqualTo(224);
        assertThat(inputs.get(3).at(0, 0)).isEqualTo(224 * 448);
        assertThat(inputs.get(4).at(223, 223)).isEqualTo(447 * 448 + 447);
    }

    @Test
    void nonSquareImageIsResizedToTheGrid() {
        SubImagePlan plan = new SubImageTiling(100, 1, 3).plan(600, 50);
        List<LabelImage> inputs = plan.render(LabelImage.ofCoordinates(600, 50), LabelImage.OPS);
        assertThat(inputs).hasSize(4);
        // enlarged to 300×100: sub-image 2's first column comes from image x = 200·600/300 = 400
        assertThat(inputs.get(3).at(0, 0)).isEqualTo(400);
    }

    @Test
    void assemblerConcatenatesInPlanOrder() {
        SubImagePlan plan = SubImageTiling.sphinx(224).plan(448, 448);
        List<FeatureMap> outs = new ArrayList<>();
        for (int v = 0; v < 5; v++) {
            float[] d = new float[256 * 2];
            java.util.Arrays.fill(d, v);
            outs.add(new FeatureMap(d, 256, 2, 16, 16));
        }
        FeatureMap all = SubImageAssembler.assemble(plan, outs);
        assertThat(all.tokens()).isEqualTo(5 * 256).isEqualTo(SubImageAssembler.outputTokens(plan, 256));
        assertThat(all.data()[0]).isEqualTo(0);
        assertThat(all.data()[256 * 2]).isEqualTo(1);
        assertThat(all.data()[all.data().length - 1]).isEqualTo(4);
        assertThatThrownBy(() -> SubImageAssembler.assemble(plan, outs.subList(0, 3)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
