package dev.fovea.engine.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A render is bounded by the CPU time it uses, not by the time it waits for a CPU. */
class RenderDeadlineTest {
    private static final long LIMIT = TimeUnit.MILLISECONDS.toNanos(100);

    @Test
    void waitingDoesNotUseUpTheLimitButWorkingDoes() throws InterruptedException {
        assumeTrue(ManagementFactory.getThreadMXBean().isCurrentThreadCpuTimeSupported());
        RenderDeadline.start(LIMIT);
        try {
            Thread.sleep(3 * LIMIT / 1_000_000); // three limits of elapsed time, almost no CPU time
            assertThat(RenderDeadline.expired()).isFalse();
            long start = System.nanoTime();
            long spins = 0;
            while (!RenderDeadline.expired()) {
                spins++;
                assertThat(System.nanoTime() - start).as("still running after %d checks", spins)
                        .isLessThan(TimeUnit.SECONDS.toNanos(10));
            }
            // a working thread reaches the limit after about the limit of elapsed time (more if it was preempted)
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(LIMIT / 2);
            assertThat(RenderDeadline.expired()).as("it stays expired").isTrue();
        } finally {
            RenderDeadline.end();
        }
        assertThat(RenderDeadline.expired()).as("no render on this thread").isFalse();
    }
}
