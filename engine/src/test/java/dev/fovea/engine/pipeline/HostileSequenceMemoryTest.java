package dev.fovea.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.Progress;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.sampling.SamplerConfig;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.testing.Conformance;
import dev.fovea.testsupport.NeedsConformance;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** A token limit far past the context is refused before anything is sized by it (it once exhausted the heap). */
@NeedsConformance
class HostileSequenceMemoryTest {
    private static LanguageModel lm;

    @BeforeAll
    static void load() throws Exception {
        lm = LanguageModel.open(Conformance.file("models/llama-spm-q8_0.gguf"), Parallel.create(2), Progress.NONE);
    }

    @AfterAll
    static void close() {
        lm.close();
    }

    private static List<Segment> prompt() {
        return List.of(Segment.tokens(lm.tokenizer().encode("The quick brown fox", true, true)));
    }

    private static int context() {
        return lm.decoder().config().contextLength();
    }

    @ParameterizedTest
    @ValueSource(ints = {1_000_000_000, Integer.MAX_VALUE, Integer.MAX_VALUE - 3})
    void theGeneratorRefusesATokenLimitPastTheContextNamingIt(int maxTokens) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> new Generator(lm).generate(prompt(), GenerationConfig.greedy(maxTokens),
                TokenListener.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max_tokens " + maxTokens)
                .hasMessageContaining("context of " + context() + " positions");
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
    }

    @ParameterizedTest
    @ValueSource(ints = {1_000_000_000, Integer.MAX_VALUE})
    void theSchedulerRefusesATokenLimitPastTheContextAndServesTheNextRequest(int maxTokens) throws Exception {
        try (BatchScheduler s = new BatchScheduler(lm.decoder(), lm.tokenizer(),
                new BatchScheduler.Config(4, 64L << 20, 0, 10))) {
            assertThatThrownBy(() -> s.submit(prompt(), GenerationConfig.greedy(maxTokens), TokenListener.NONE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("max_tokens " + maxTokens)
                    .hasMessageContaining("context of " + context() + " positions");
            GenerationResult next = s.submit(prompt(), GenerationConfig.greedy(4), TokenListener.NONE).result()
                    .get(60, TimeUnit.SECONDS);
            assertThat(next.tokens()).hasSize(4);
        }
    }

    @Test
    void aTokenLimitThatExactlyFillsTheContextIsAccepted() throws Exception {
        int room = context() - prompt().getFirst().length();
        int[] seen = new int[1];
        GenerationConfig untilCancelled = new GenerationConfig(room, SamplerConfig.greedy(), List.of(), true);
        GenerationResult r = new Generator(lm).generate(prompt(), untilCancelled, (t, text) -> ++seen[0] < 3);
        assertThat(r.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThatThrownBy(() -> new Generator(lm).generate(prompt(),
                new GenerationConfig(room + 1, SamplerConfig.greedy(), List.of(), true), TokenListener.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("context");
    }

    @Test
    void theKvCacheHoldsThePositionsUsedNotTheLimit() {
        int room = context() - prompt().getFirst().length();
        dev.fovea.engine.llm.KvCache cache = lm.decoder().newCache(context());
        assertThat(cache.bytes()).isZero();
        int[] seen = new int[1];
        GenerationResult r = new Generator(lm).generate(cache, prompt(),
                new GenerationConfig(room, SamplerConfig.greedy(), List.of(), true), (t, text) -> ++seen[0] < 4);
        assertThat(r.tokens()).hasSize(4);
        // a limit of the whole context, four tokens produced: the cache grew to its use, not to the context
        assertThat(cache.length()).isEqualTo(prompt().getFirst().length() + 3);
        assertThat(cache.bytes()).isLessThan(cache.maxBytes() / 8);
    }

    @Test
    void aNegativeTokenLimitIsRefusedNamingTheField() {
        assertThatThrownBy(() -> GenerationConfig.greedy(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("max_tokens must be ≥ 0");
    }

    @Test
    void anInputPastTheContextIsRefusedBeforeItIsEvaluated() {
        int[] ids = new int[context() + 1];
        java.util.Arrays.fill(ids, 1);
        assertThatThrownBy(() -> new Generator(lm).generate(List.of(Segment.tokens(ids)), GenerationConfig.greedy(1),
                TokenListener.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining((context() + 1) + " positions exceed the model's context of " + context());
    }
}
