package dev.fovea.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pipeline files (unknown keys named, template and anyres_layout carried) and pipelines derived from model files. */
class StackFileTest {
    private static final Path MODELS = Path.of("..", "models", "shapesworld").toAbsolutePath().normalize();

    @Test
    void theCommittedPipelineFileReads() throws Exception {
        StackFile s = StackFile.read(MODELS.resolve("shapesworld.yaml"));
        assertThat(s.model()).isEqualTo("shapesworld");
        assertThat(s.encoders()).hasSize(1);
    }

    @Test
    void unknownKeysAreErrorsNamingTheKeyAndWhere(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.yaml");
        Files.writeString(f, "model: m\nllm: a.gguf\ntilling: anyres\n");
        assertThatThrownBy(() -> StackFile.read(f)).hasMessageContaining("unknown key 'tilling'")
                .hasMessageContaining("tiling");
        Files.writeString(f, "model: m\nllm: a.gguf\nencoders: [{name: clip, mmprj: b.gguf}]\n");
        assertThatThrownBy(() -> StackFile.read(f)).hasMessageContaining("unknown key 'mmprj' in 'encoders'")
                .hasMessageContaining("mmproj");
    }

    @Test
    void templateAndAnyresLayoutAreCarried(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.yaml");
        Files.writeString(f, "model: m\nllm: a.gguf\ntemplate: \"{{ messages[0]['content'] }}\"\n"
                + "anyres_layout: llama.cpp\n");
        StackFile s = StackFile.read(f);
        assertThat(s.template()).isEqualTo("{{ messages[0]['content'] }}");
        assertThat(s.anyresLayout()).isEqualTo("llama.cpp");
        assertThat(s.llm()).isEqualTo(dir.resolve("a.gguf").toString());
    }

    @Test
    void aPipelineIsDerivedFromTheModelFiles() throws Exception {
        StackFile s = StackFile.fromModelFiles(MODELS.resolve("shapesworld-a.gguf"),
                MODELS.resolve("shapesworld-a-mmproj.gguf"), null);
        assertThat(s.model()).matches("[a-z0-9_.-]+");
        assertThat(s.adapter().id()).isEqualTo(s.model() + "-mlp");
        assertThat(s.adapter().file()).isEqualTo(s.encoders().get(0).mmproj());
        assertThat(s.tiling()).isEqualTo("none");
        assertThat(StackFile.fromModelFiles(MODELS.resolve("shapesworld-a.gguf"), null, "mine").model())
                .isEqualTo("mine");
        assertThatThrownBy(() -> StackFile.fromModelFiles(MODELS.resolve("shapesworld-a-mmproj.gguf"),
                MODELS.resolve("shapesworld-a.gguf"), null)).hasMessageContaining("pass it as --mmproj");
        assertThatThrownBy(() -> StackFile.fromModelFiles(MODELS.resolve("shapesworld-a.gguf"),
                MODELS.resolve("shapesworld-a.gguf"), null)).hasMessageContaining("not an mmproj");
        assertThat(StackFile.modelId("LLaVA 1.5 7B", Path.of("x.gguf"))).isEqualTo("llava-1.5-7b");
        assertThat(StackFile.modelId("", Path.of("/m/Qwen2-VL-2B.Q4_K_M.gguf"))).isEqualTo("qwen2-vl-2b.q4_k_m");
    }
}
