package dev.fovea.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.engine.template.ChatTemplate;
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
}
