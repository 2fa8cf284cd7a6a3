package dev.fovea.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.Progress;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.testing.Conformance;
import dev.fovea.testsupport.NeedsConformance;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@NeedsConformance
class BatchSchedulerTest {
    private static final long MB = 1 << 20;
    private static LanguageModel lm;

    @BeforeAll
    static void load() throws Exception {
        lm = LanguageModel.open(Conformance.file("models/llama-spm-q8_0.gguf"), Parallel.create(2), Progress.NONE);
    }

    @AfterAll
    static void close() {
        lm.close();
    }

    private static List<Segment> prompt(String text) {
        return List.of(Segment.tokens(lm.tokenizer().encode(text, true, true)));
    }

    private static int[] solo(List<Segment> input, int n) {
        return new Generator(lm).generate(input, GenerationConfig.greedy(n), TokenListener.NONE).tokens();
    }

    @Test
    void concurrentStreamsGiveTheTokensOfSoloRuns() throws Exception {
        String[] texts = {"The quick brown fox", "Once upon a time", "In the beginning there was", "Hello", "1 2 3 4",
                "The capital of France is", "def main():", "Roses are red,"};
        try (BatchScheduler s = new BatchScheduler(lm.decoder(), lm.tokenizer(),
                new BatchScheduler.Config(8, 64 * MB, 0, 100))) {
            List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
            for (String t : texts) {
                results.add(s.submit(prompt(t), GenerationConfig.greedy(20), TokenListener.NONE).result());
            }
            for (int i = 0; i < texts.length; i++) {
                GenerationResult r = results.get(i).get(60, TimeUnit.SECONDS);
                assertThat(r.tokens()).as(texts[i]).isEqualTo(solo(prompt(texts[i]), 20));
                assertThat(r.text()).isEqualTo(lm.tokenizer().decode(r.tokens()));
            }
        }
    }

    @Test
    void aTinyKvBudgetQueuesRequestsInsteadOfFailingThem() throws Exception {
        // room for one request at a time: 2 layers × 2 × 128 dims × 4 bytes × (prompt + 16) positions ≈ 40 KB
        try (BatchScheduler s = new BatchScheduler(lm.decoder(), lm.tokenizer(),
                new BatchScheduler.Config(4, 48 * 1024, 0, 10))) {
            var a = s.submit(prompt("Once upon a time"), GenerationConfig.greedy(16), TokenListener.NONE);
            var b = s.submit(prompt("The quick brown fox"), GenerationConfig.greedy(16), TokenListener.NONE);
            assertThat(a.result().get(60, TimeUnit.SECONDS).tokens()).isEqualTo(solo(prompt("Once upon a time"), 16));
            assertThat(b.result().get(60, TimeUnit.SECONDS).tokens()).isEqualTo(solo(prompt("The quick brown fox"), 16));
            var huge = s.submit(prompt("x"), GenerationConfig.greedy(1000), TokenListener.NONE);
            assertThatThrownBy(() -> huge.result().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasMessageContaining("budget");
        }
    }

    @Test
    void aSecondTurnReusesTheFirstTurnsPositionsWithIdenticalTokens() throws Exception {
        int d = lm.decoder().config().embd();
        float[] image = new float[6 * d];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) Math.sin(i * 0.37) * 0.05f;
        }
        int[] before = lm.tokenizer().encode("USER: look at this", true, true);
        int[] after = lm.tokenizer().encode(" what is it? ASSISTANT:", false, true);
        List<Segment> turn1 = List.of(Segment.tokens(before), Segment.embeddings(image, 6), Segment.tokens(after));
        try (BatchScheduler s = new BatchScheduler(lm.decoder(), lm.tokenizer(),
                new BatchScheduler.Config(4, 64 * MB, 64 * MB, 10))) {
            var first = s.submit(turn1, GenerationConfig.greedy(8), TokenListener.NONE);
            GenerationResult r1 = first.result().get(60, TimeUnit.SECONDS);
            assertThat(first.cachedPositions()).isZero();
            List<Segment> turn2 = new ArrayList<>(turn1);
            turn2.add(Segment.tokens(r1.tokens()));
            turn2.add(Segment.tokens(lm.tokenizer().encode(" USER: and its colour? ASSISTANT:", false, true)));
            var second = s.submit(turn2, GenerationConfig.greedy(8), TokenListener.NONE);
            GenerationResult r2 = second.result().get(60, TimeUnit.SECONDS);
            // everything of turn 1 that was fed back (input + all generated tokens but the last) is reused
            assertThat(second.cachedPositions()).isEqualTo(before.length + 6 + after.length + r1.tokens().length - 1);
            assertThat(r2.tokens()).isEqualTo(solo(turn2, 8));
            assertThat(s.stats().prefixHits()).isEqualTo(1);
            // a different image with the same text shares only the text before it
            float[] other = image.clone();
            other[3] += 0.01f;
            List<Segment> turn1b = List.of(Segment.tokens(before), Segment.embeddings(other, 6), Segment.tokens(after));
            var third = s.submit(turn1b, GenerationConfig.greedy(4), TokenListener.NONE);
            third.result().get(60, TimeUnit.SECONDS);
            assertThat(third.cachedPositions()).isEqualTo(before.length);
        }
    }

    @Test
    void cancellationAndListenerCancelEndTheStream() throws Exception {
        try (BatchScheduler s = new BatchScheduler(lm.decoder(), lm.tokenizer(),
                new BatchScheduler.Config(4, 64 * MB, 0, 10))) {
            AtomicInteger seen = new AtomicInteger();
            var byListener = s.submit(prompt("Once upon a time"), new GenerationConfig(50,
                    dev.fovea.engine.sampling.SamplerConfig.greedy(), List.of(), true), (t, text) -> seen.incrementAndGet() < 3);
            GenerationResult r = byListener.result().get(60, TimeUnit.SECONDS);
            assertThat(r.finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(seen.get()).isEqualTo(3);
            // a limit that fills the whole context: only the cancel ends it early
            int room = lm.decoder().config().contextLength() - prompt("Once upon a time").getFirst().length();
            var byCaller = s.submit(prompt("Once upon a time"), new GenerationConfig(room,
                    dev.fovea.engine.sampling.SamplerConfig.greedy(), List.of(), true), TokenListener.NONE);
            byCaller.cancel();
            assertThat(byCaller.result().get(60, TimeUnit.SECONDS).finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(s.stats().running()).isZero();
            assertThat(s.stats().kvBytesReserved()).isZero();
        }
    }

    @Test
    void badInputIsRejectedAtSubmission() {
        try (BatchScheduler s = new BatchScheduler(lm.decoder(), lm.tokenizer(),
                new BatchScheduler.Config(4, 64 * MB, 0, 10))) {
            assertThatThrownBy(() -> s.submit(List.of(Segment.tokens(1, 99_999_999)), GenerationConfig.greedy(4),
                    TokenListener.NONE)).hasMessageContaining("vocabulary");
            assertThatThrownBy(() -> s.submit(List.of(Segment.embeddings(new float[10], 2)), GenerationConfig.greedy(4),
                    TokenListener.NONE)).hasMessageContaining("width");
            assertThatThrownBy(() -> s.submit(List.of(), GenerationConfig.greedy(4), TokenListener.NONE))
                    .hasMessageContaining("empty");
        }
    }
}
