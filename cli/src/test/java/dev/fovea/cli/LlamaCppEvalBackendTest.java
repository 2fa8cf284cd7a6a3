package dev.fovea.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reading llama.cpp's llava-cli output, whose CLIP log shares stdout with the answer. */
class LlamaCppEvalBackendTest {

    @Test
    void theAnswerIsWhatFollowsTheClipLog() {
        // the tail of llava-cli's stdout (llama.cpp build 4748) for one question
        String stdout = "clip_model_load: compute allocated memory: 0.96 MB\n"
                + "encode_image_with_clip: image embedding created: 49 tokens\n\n"
                + "encode_image_with_clip: image encoded in    18.12 ms by CLIP (    0.37 ms per image patch)\n\n"
                + " <box>(29,562),(166,729)</box>\n";
        assertThat(LlamaCppEvalBackend.answerOf(stdout)).isEqualTo("<box>(29,562),(166,729)</box>");
    }

    @Test
    void withoutTheClipLogTheWholeOutputIsTheAnswer() {
        assertThat(LlamaCppEvalBackend.answerOf("\n gray\n")).isEqualTo("gray");
        assertThat(LlamaCppEvalBackend.answerOf("encode_image_with_clip: image encoded in 1 ms\n\n red\n"))
                .isEqualTo("red");
        assertThat(LlamaCppEvalBackend.answerOf("encode_image_with_clip: image encoded in 1 ms")).isEmpty();
    }
}
