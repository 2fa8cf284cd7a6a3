package dev.fovea.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.testing.Conformance;
import dev.fovea.testsupport.NeedsConformance;
import org.junit.jupiter.api.Test;

@NeedsConformance
class GgufFileConformanceTest {

    @Test
    void readsLlamaModelHeader() throws Exception {
        try (GgufFile f = GgufFile.open(Conformance.file("models/llama-spm-f32.gguf"))) {
            assertThat(f.version()).isEqualTo(3);
            assertThat(f.architecture()).isEqualTo("llama");
            assertThat(f.requireInt("llama.embedding_length")).isEqualTo(64);
            assertThat(f.requireInt("llama.attention.head_count")).isEqualTo(4);
            assertThat(f.requireInt("llama.attention.head_count_kv")).isEqualTo(2);
            assertThat(f.getStringArray("tokenizer.ggml.tokens")).hasSize(32000);
            GgufTensorInfo emb = f.tensor("token_embd.weight");
            assertThat(emb.shape()).containsExactly(64, 32000);
            assertThat(emb.type()).isEqualTo(GgmlType.F32);
            assertThat(f.data(emb).byteSize()).isEqualTo(64L * 32000 * 4);
        }
    }

    @Test
    void readsQuantizedTypes() throws Exception {
        try (GgufFile f = GgufFile.open(Conformance.file("models/llama-spm-q4_k_m.gguf"))) {
            assertThat(f.tensor("blk.0.ffn_down.weight").type()).isEqualTo(GgmlType.Q6_K);
            assertThat(f.tensor("blk.0.attn_q.weight").type()).isEqualTo(GgmlType.Q4_K);
        }
    }
}
