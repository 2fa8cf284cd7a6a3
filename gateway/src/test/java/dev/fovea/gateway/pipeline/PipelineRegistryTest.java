package dev.fovea.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.vision.tiling.AnyResLayout;
import dev.fovea.gateway.ApiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineRegistryTest {
    @TempDir
    Path dir;

    private PipelineRegistry registry(String text, String name) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return new PipelineRegistry(PipelineRegistry.load(f));
    }

    private static final String YAML = """
            pipelines:
              - model: vlm
                llm: 10.0.0.3:8083
                tiling: subimages
                encoders:
                  - {name: clip, replicas: ["10.0.0.1:8081", "10.0.0.2:8081"]}
                  - {name: siglip, replicas: ["10.0.0.4:8081"]}
                adapter: {id: fused, address: 10.0.0.5:8084}
                combinations:
                  clip-only: {encoders: [clip], adapter: clip-mlp}
                  both-reversed: {encoders: [siglip, clip], adapter: fused-rev}
            """;

    @Test
    void yamlAndJsonDescribeTheSamePipelines() throws Exception {
        PipelineConfig y = registry(YAML, "p.yaml").find("vlm").orElseThrow();
        PipelineConfig j = registry("""
                {"pipelines": [{"model": "vlm", "llm": "10.0.0.3:8083", "tiling": "subimages",
                  "encoders": [{"name": "clip", "replicas": ["10.0.0.1:8081", "10.0.0.2:8081"]},
                               {"name": "siglip", "replicas": ["10.0.0.4:8081"]}],
                  "adapter": {"id": "fused", "address": "10.0.0.5:8084"},
                  "combinations": {"clip-only": {"encoders": ["clip"], "adapter": "clip-mlp"},
                                   "both-reversed": {"encoders": ["siglip", "clip"], "adapter": "fused-rev"}}}]}
                """, "p.json").find("vlm").orElseThrow();
        assertThat(j).isEqualTo(y);
        assertThat(y.tiling()).isEqualTo(Tiling.SUBIMAGES);
    }

    @Test
    void theLlmIsOneAddressOrAListOfReplicas() throws Exception {
        PipelineConfig one = registry("pipelines:\n  - {model: a, llm: 'h:1'}\n", "one.yaml").find("a").orElseThrow();
        assertThat(one.llm()).containsExactly("h:1");
        PipelineConfig two = registry("pipelines:\n  - {model: a, llm: ['h:1', 'h:2']}\n", "two.yaml").find("a")
                .orElseThrow();
        assertThat(two.llm()).containsExactly("h:1", "h:2");
        assertThatThrownBy(() -> registry("pipelines:\n  - {model: a, llm: ['h:1', 'nohost']}\n", "bad.yaml"))
                .hasMessageContaining("pipeline 'a': llm").hasMessageContaining("nohost");
        assertThatThrownBy(() -> registry("pipelines:\n  - {model: a, llm: []}\n", "none.yaml"))
                .hasMessageContaining("pipeline 'a': no llm");
    }

    @Test
    void combinationsAreFoundByNameOrByTheirEncoders() throws Exception {
        PipelineConfig p = registry(YAML, "p.yaml").find("vlm").orElseThrow();
        EncoderSelection all = PipelineRegistry.select(p, null);
        assertThat(all.adapterId()).isEqualTo("fused");
        assertThat(all.encoders()).extracting(EncoderConfig::name).containsExactly("clip", "siglip");
        assertThat(PipelineRegistry.select(p, "clip+siglip")).isEqualTo(all);
        EncoderSelection reversed = PipelineRegistry.select(p, "siglip+clip");
        assertThat(reversed.name()).isEqualTo("both-reversed");
        assertThat(reversed.encoders()).extracting(EncoderConfig::name).containsExactly("siglip", "clip");
        assertThat(PipelineRegistry.select(p, "clip-only").adapterId()).isEqualTo("clip-mlp");
        assertThatThrownBy(() -> PipelineRegistry.select(p, "dino")).isInstanceOf(ApiException.class)
                .hasMessageContaining("dino");
    }

    @Test
    void mistakesAreReportedWithThePipelineAndField() {
        assertThatThrownBy(() -> registry("pipelines:\n  - {model: a, llm: nohost}\n", "a.yaml"))
                .hasMessageContaining("pipeline 'a': llm").hasMessageContaining("host:port");
        assertThatThrownBy(() -> registry("pipelines:\n  - {model: a, llm: 'h:1'}\n  - {model: a, llm: 'h:2'}\n",
                "b.yaml")).hasMessageContaining("twice");
        assertThatThrownBy(() -> registry("pipelines:\n  - {model: a, llm: 'h:1', tiling: anyres, "
                + "encoders: [{name: c, replicas: ['h:2']}, {name: e, replicas: ['h:4']}], adapter: {id: x, address: 'h:3'}}\n",
                "c.yaml")).hasMessageContaining("anyres").hasMessageContaining("exactly one encoder");
        assertThatThrownBy(() -> registry("pipelines:\n  - {model: a, llm: 'h:1', encoders: [{name: c, replicas: "
                + "['h:2']}], adapter: {id: x, address: 'h:3'}, combinations: {z: {encoders: [d], adapter: y}}}\n",
                "d.yaml")).hasMessageContaining("unknown encoder 'd'");
        assertThatThrownBy(() -> registry("pipelines:\n  - {model: a, llm: 'h:1', encoders: [{name: c, replicas: "
                + "['h:2']}]}\n", "e.yaml")).hasMessageContaining("adapter");
        assertThatThrownBy(() -> registry("pipelines:\n  - {model: a, llm: 'h:1', tiling: wild}\n", "f.yaml"))
                .hasMessageContaining("tiling");
        assertThatThrownBy(() -> registry("pipelines:\n  - {model: a, lm: 'h:1'}\n", "g.yaml"))
                .hasMessageContaining("lm");
        assertThatThrownBy(() -> registry("pipelines:\n  - {model: a, llm: 'h:1', anyres_layout: llamacpp}\n", "i.yaml"))
                .hasMessageContaining("anyres layout must be huggingface or llama.cpp, got 'llamacpp'");
        assertThatThrownBy(() -> registry("pipelines: []\n", "h.yaml")).hasMessageContaining("no pipelines");
        assertThatThrownBy(() -> PipelineRegistry.load(dir.resolve("missing.yaml")))
                .hasMessageContaining("missing.yaml");
    }

    @Test
    void aTextOnlyPipelineNeedsOnlyAnLlm() throws Exception {
        PipelineRegistry r = registry("pipelines:\n  - {model: t, llm: '127.0.0.1:8083'}\n", "t.yaml");
        assertThat(r.all()).hasSize(1);
        assertThat(r.find("t").orElseThrow().tiling()).isEqualTo(Tiling.NONE);
        assertThat(r.find("u")).isEmpty();
        assertThat(List.copyOf(r.all()).get(0).encoders()).isEmpty();
        assertThat(r.find("t").orElseThrow().layout()).isEqualTo(AnyResLayout.HUGGING_FACE);
    }

    @Test
    void anAnyResPipelineMayAskForLlamaCppsLayout() throws Exception {
        PipelineConfig p = registry("pipelines:\n  - {model: v, llm: 'h:1', tiling: anyres, anyres_layout: llama.cpp, "
                + "encoders: [{name: c, replicas: ['h:2']}], adapter: {id: x, address: 'h:3'}}\n", "v.yaml")
                .find("v").orElseThrow();
        assertThat(p.layout()).isEqualTo(AnyResLayout.LLAMA_CPP);
    }
}
