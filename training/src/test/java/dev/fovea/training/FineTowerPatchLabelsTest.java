package dev.fovea.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.fovea.shapesworld.DrawnObject;
import dev.fovea.shapesworld.NamedColor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * In the SPHINX-style variant the second tower learns the patch labels too (from its grid pooled onto the first
 * tower's), so the patch loss alone reaches both towers: without it the fine tower would learn from the answers only.
 */
class FineTowerPatchLabelsTest {

    @Test
    void thePatchLossTrainsBothTowersOfAFusionModel() throws Exception {
        VlmShape shape = VlmShape.tiny(Adapter.FUSION);
        try (NDManager m = NDManager.newBaseManager(); ShapesVlm model = new ShapesVlm(m, shape, 3)) {
            PromptLayout layout = model.layout();
            PictureViews views = PictureViews.of(ExportParityTest.picture(), List.of(
                    new DrawnObject("circle", NamedColor.RED, 4, 4, 14, 14),
                    new DrawnObject("square", NamedColor.BLUE, 26, 20, 12, 12)), shape);
            TrainingExample example = new TrainingExample(views.pixels(), List.of(new TrainingExample.QaTokens(
                    layout.question("What color is the circle?"), layout.answer("red"))), views.labels());
            try (NDManager s = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                TrainingBatch batch = TrainingBatch.build(s, List.of(example), layout.prefix(), model.imageRows(),
                        shape, layout.vocab().size());
                gc.backward(model.forward(batch).patchLoss());
            }
            for (String name : List.of("v.patch_embd.weight", "v_fine.patch_embd.weight", "aux.fine_color.weight",
                    "aux.fine_kind.weight")) {
                float reach = model.parameters().get(name).getGradient().abs().sum().getFloat();
                assertThat(reach).as(name).isPositive();
            }
            // the adapter and the decoder are not reached by the patch loss
            assertThat(model.parameters().get("output.weight").getGradient().abs().sum().getFloat()).isZero();
        }
    }
}
