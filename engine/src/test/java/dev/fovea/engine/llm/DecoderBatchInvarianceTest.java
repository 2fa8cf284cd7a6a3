package dev.fovea.engine.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.Progress;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.testing.Conformance;
import dev.fovea.testsupport.NeedsConformance;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Continuous batching must not change results: sequences stepped together (joining at different steps, with
 * prompts and decode steps mixed in one batch) give bit-identical logits to each sequence run alone.
 */
@NeedsConformance
class DecoderBatchInvarianceTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm-f32.gguf", "llama-spm-q8_0.gguf", "llama-spm-q4_k_m.gguf", "qwen2-gpt2-f32.gguf"})
    void batchedSequencesMatchSoloRuns(String model) throws Exception {
        try (GgufFile f = GgufFile.open(Conformance.file("models/" + model))) {
            DecoderModel m = DecoderModel.load(f, Parallel.create(2), Progress.NONE);
            int[][] prompts = {{1, 450, 4996, 17354, 1701}, {1, 910}, {1, 3118, 338, 263, 1243, 310, 278, 3694, 29889}};
            int steps = 6;
            // solo: prompt, then greedy steps
            List<List<float[]>> solo = new ArrayList<>();
            for (int[] p : prompts) {
                List<float[]> seq = new ArrayList<>();
                KvCache c = m.newCache(32);
                float[] logits = m.forward(c, List.of(Segment.tokens(p)), false);
                seq.add(logits);
                for (int s = 0; s < steps; s++) {
                    logits = m.forward(c, List.of(Segment.tokens(argmax(logits))), false);
                    seq.add(logits);
                }
                solo.add(seq);
            }
            // batched: sequence i joins at step i (its prompt shares the batch with others' decode steps)
            KvCache[] caches = new KvCache[prompts.length];
            int[] emitted = new int[prompts.length];
            float[][] last = new float[prompts.length][];
            for (int step = 0; step < prompts.length + steps + 1; step++) {
                List<KvCache> batchCaches = new ArrayList<>();
                List<List<Segment>> inputs = new ArrayList<>();
                List<Integer> who = new ArrayList<>();
                for (int i = 0; i < prompts.length; i++) {
                    if (step == i) {
                        caches[i] = m.newCache(32);
                        batchCaches.add(caches[i]);
                        inputs.add(List.of(Segment.tokens(prompts[i])));
                        who.add(i);
                    } else if (step > i && emitted[i] <= steps) {
                        batchCaches.add(caches[i]);
                        inputs.add(List.of(Segment.tokens(argmax(last[i]))));
                        who.add(i);
                    }
                }
                if (who.isEmpty()) {
                    continue;
                }
                float[][] out = m.forwardBatch(batchCaches, inputs);
                for (int j = 0; j < who.size(); j++) {
                    int i = who.get(j);
                    assertThat(out[j]).as("%s sequence %d output %d", model, i, emitted[i])
                            .isEqualTo(solo.get(i).get(emitted[i]));
                    last[i] = out[j];
                    emitted[i]++;
                }
            }
            for (int e : emitted) {
                assertThat(e).isEqualTo(steps + 1);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm-f32.gguf"})
    void rejectsTheSameCacheTwice(String model) throws Exception {
        try (GgufFile f = GgufFile.open(Conformance.file("models/" + model))) {
            DecoderModel m = DecoderModel.load(f, Parallel.create(1), Progress.NONE);
            KvCache c = m.newCache(8);
            assertThatThrownBy(() -> m.forwardBatch(List.of(c, c),
                    List.of(List.of(Segment.tokens(1)), List.of(Segment.tokens(2)))))
                    .hasMessageContaining("twice");
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
