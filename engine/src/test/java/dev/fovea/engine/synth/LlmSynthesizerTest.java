package dev.fovea.engine.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.Progress;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.llm.DecoderModel;
import dev.fovea.engine.llm.KvCache;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.testing.Conformance;
import dev.fovea.testsupport.NeedsConformance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlmSynthesizerTest {
    @TempDir
    Path dir;

    private Path synth(String preset, GgmlType type, String vocab, long seed, String name) throws Exception {
        Path out = dir.resolve(name);
        try (GgufFile v = GgufFile.open(Conformance.dir().resolve("tokenizer").resolve(vocab))) {
            LlmSynthesizer.write(new LlmSynthesizer.Spec(LlmPreset.named(preset, null), type, seed), v, out,
                    Parallel.create(2), Progress.NONE);
        }
        return out;
    }

    @NeedsConformance
    @Test
    void llamaPresetLoadsWithItsShapesAndRuns() throws Exception {
        Path f = synth("tiny", GgmlType.Q8_0, "ggml-vocab-llama-spm.gguf", 7, "a.gguf");
        List<Long> progress = new ArrayList<>();
        try (GgufFile g = GgufFile.open(f)) {
            assertThat(g.architecture()).isEqualTo("llama");
            assertThat(g.getInt("general.file_type", -1)).isEqualTo(7);
            assertThat(g.getString("tokenizer.ggml.model", null)).isEqualTo("llama");
            assertThat(g.tensor("blk.3.ffn_down.weight").type()).isEqualTo(GgmlType.Q8_0);
            assertThat(g.tensor("blk.0.attn_norm.weight").type()).isEqualTo(GgmlType.F32);
            assertThat(g.hasTensor("output.weight")).isTrue();
            DecoderModel m = DecoderModel.load(g, Parallel.create(2), (s, d, t) -> progress.add(d));
            assertThat(m.config().blockCount()).isEqualTo(4);
            assertThat(m.config().embd()).isEqualTo(256);
            assertThat(m.config().headCountKv()).isEqualTo(4);
            assertThat(m.config().vocabSize()).isEqualTo(32000);
            KvCache cache = m.newCache(8);
            float[] logits = m.forward(cache, List.of(Segment.tokens(1, 450, 4996)), false);
            assertThat(logits).hasSize(32000);
            double sq = 0;
            for (float x : logits) {
                assertThat(Float.isFinite(x)).isTrue();
                sq += x * x;
            }
            assertThat(sq).isGreaterThan(0);
        }
        assertThat(progress).isNotEmpty();
    }

    @NeedsConformance
    @Test
    void qwen2PresetHasTiedOutputAndBiases() throws Exception {
        Path f = synth("tiny-qwen2", GgmlType.Q4_0, "ggml-vocab-gpt-2.gguf", 7, "q.gguf");
        try (GgufFile g = GgufFile.open(f)) {
            assertThat(g.architecture()).isEqualTo("qwen2");
            assertThat(g.hasTensor("output.weight")).isFalse();
            assertThat(g.hasTensor("blk.0.attn_k.bias")).isTrue();
            DecoderModel m = DecoderModel.load(g, Parallel.create(1), Progress.NONE);
            assertThat(m.config().headCountKv()).isEqualTo(2);
            float[] logits = m.forward(m.newCache(4), List.of(Segment.tokens(464, 2068)), false);
            assertThat(logits).hasSize(m.config().vocabSize());
        }
    }

    @NeedsConformance
    @Test
    void sameSeedSameBytesWhateverTheThreads() throws Exception {
        Path a = synth("tiny", GgmlType.Q4_0, "ggml-vocab-llama-spm.gguf", 3, "a.gguf");
        Path b = dir.resolve("b.gguf");
        try (GgufFile v = GgufFile.open(Conformance.dir().resolve("tokenizer/ggml-vocab-llama-spm.gguf"))) {
            LlmSynthesizer.write(new LlmSynthesizer.Spec(LlmPreset.named("tiny", "llama"), GgmlType.Q4_0, 3), v, b,
                    Parallel.create(1), Progress.NONE);
        }
        Path c = synth("tiny", GgmlType.Q4_0, "ggml-vocab-llama-spm.gguf", 4, "c.gguf");
        assertThat(Files.mismatch(a, b)).isEqualTo(-1);
        assertThat(Files.mismatch(a, c)).isNotEqualTo(-1);
    }

    @NeedsConformance
    @Test
    void rejectsTypesThatDoNotFitThePresetAndUnknownPresets() {
        // qwen2-0.5b rows of 896 values are not whole 256-value K-quant blocks
        assertThatThrownBy(() -> synth("qwen2-0.5b", GgmlType.Q4_K, "ggml-vocab-gpt-2.gguf", 1, "x.gguf"))
                .hasMessageContaining("896").hasMessageContaining("Q4_K");
        assertThat(dir.resolve("x.gguf")).doesNotExist();
        assertThat(dir.resolve("x.gguf.part")).doesNotExist();
        assertThatThrownBy(() -> LlmPreset.named("gpt-5", null)).hasMessageContaining("tinyllama-1.1b");
        assertThatThrownBy(() -> LlmPreset.named("qwen2-0.5b", "llama")).hasMessageContaining("qwen2");
    }

    @Test
    void parameterCountOfTinyLlamaIsItsPublishedSize() {
        assertThat(LlmPreset.named("tinyllama-1.1b", "llama").parameterCount(32000)).isBetween(1_090_000_000L, 1_110_000_000L);
    }
}
