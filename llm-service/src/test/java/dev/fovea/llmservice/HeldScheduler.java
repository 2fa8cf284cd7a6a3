package dev.fovea.llmservice;

import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.BatchScheduler;
import dev.fovea.engine.pipeline.GenerationConfig;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds the scheduler's loop still: a request of its own whose first token blocks the loop thread until released,
 * so the sequences queued meanwhile stay in flight for as long as a test needs (the conformance model would
 * otherwise finish them in milliseconds).
 */
final class HeldScheduler implements AutoCloseable {
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final BatchScheduler.Submission submission;

    HeldScheduler(LlmRuntime runtime) throws InterruptedException {
        int[] prompt = runtime.model().tokenizer().encode("Hold", true, true);
        submission = runtime.scheduler().submit(List.of(Segment.tokens(prompt)), GenerationConfig.greedy(2),
                (token, text) -> {
                    held.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return true;
                });
        if (!held.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the scheduler never produced the holding request's first token");
        }
    }

    @Override
    public void close() throws Exception {
        release.countDown();
        submission.result().get(60, TimeUnit.SECONDS);
    }
}
