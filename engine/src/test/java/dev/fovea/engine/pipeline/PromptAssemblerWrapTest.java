package dev.fovea.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.template.ChatTemplate;
import dev.fovea.engine.vision.tiling.MiniCpmvSlicing;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A family's image wrapper goes around every image marker once, and never twice. */
class PromptAssemblerWrapTest {
    private static final String M = ChatTemplate.IMAGE_MARKER;

    @Test
    void wrapsEachMarker() {
        assertThat(PromptAssembler.wrapImages("a" + M + "\nb" + M, "<s>", "</s>"))
                .isEqualTo("a<s>" + M + "</s>\nb<s>" + M + "</s>");
    }

    @Test
    void leavesWhatTheTemplateWrappedAlone() {
        String rendered = "x<|vision_start|>" + M + "<|vision_end|>y" + M;
        assertThat(PromptAssembler.wrapImages(rendered, "<|vision_start|>", "<|vision_end|>"))
                .isEqualTo("x<|vision_start|>" + M + "<|vision_end|>y<|vision_start|>" + M + "<|vision_end|>");
    }

    @Test
    void noWrapperNoChange() {
        assertThat(PromptAssembler.wrapImages("a" + M, "", "")).isEqualTo("a" + M);
    }

    @Test
    void aSlicedImageBecomesItsLayoutWithOneMarkerPerInput() {
        Segment.Embeddings source = new Segment.Embeddings(new float[] {1, 2}, 1);
        Segment.Embeddings slice0 = new Segment.Embeddings(new float[] {3, 4}, 1);
        Segment.Embeddings slice1 = new Segment.Embeddings(new float[] {5, 6}, 1);
        // 400 × 700: the source view and a column of two slices
        var sliced = new VisionModel.PromptImage(List.of(source, slice0, slice1),
                MiniCpmvSlicing.LLAMA_CPP.plan(400, 700).llamaCppLayout());
        var single = new VisionModel.PromptImage(List.of(slice1), MiniCpmvSlicing.LLAMA_CPP.plan(56, 56).llamaCppLayout());
        PromptAssembler.Expanded<Segment.Embeddings> e = PromptAssembler.expandSliced("<|im_start|>user\n" + M + "what?" + M,
                List.of(sliced, single));
        assertThat(e.rendered()).isEqualTo("<|im_start|>user\n<image>" + M + "</image><slice><image>" + M
                + "</image>\n<image>" + M + "</image>\n</slice>what?<image>" + M + "</image>");
        assertThat(e.images()).containsExactly(source, slice0, slice1, slice1);
        assertThatThrownBy(() -> PromptAssembler.expandSliced("no image", List.of(single)))
                .hasMessageContaining("0 image places for 1 images");
    }
}
