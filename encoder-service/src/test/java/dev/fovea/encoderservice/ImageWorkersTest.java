package dev.fovea.encoderservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ImageWorkersTest {
    /** Spins on the CPU, ignoring interrupts as an image decoder may, until released (at most 30 s). */
    private static int spin(CountDownLatch release) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int x = 0;
        while (release.getCount() > 0 && System.nanoTime() < end) {
            x += Long.numberOfTrailingZeros(System.nanoTime());
        }
        return x;
    }

    @Test
    void anOverdueTaskAnswersAtItsDeadlineIsReportedStuckAndIsReplaced() throws Exception {
        try (ImageWorkers workers = new ImageWorkers(1, 4, 1, Duration.ofMillis(200))) {
            CountDownLatch release = new CountDownLatch(1);
            long t0 = System.nanoTime();
            CompletableFuture<Integer> slow = workers.submit("slow image", () -> spin(release));
            assertThatThrownBy(() -> slow.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("image decoding exceeded the limit of 200 ms");
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
            assertThat(workers.stuck()).extracting(ImageWorkers.Stuck::what).containsExactly("slow image");
            // the pool kept its capacity: the next task runs while the first is still stuck
            assertThat(workers.submit("next image", () -> 42).get(10, TimeUnit.SECONDS)).isEqualTo(42);
            assertThat(workers.threads()).isEqualTo(2);
            release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((!workers.stuck().isEmpty() || workers.threads() > 1) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(workers.stuck()).isEmpty();
            assertThat(workers.threads()).isEqualTo(1);
            assertThat(workers.submit("after", () -> 7).get(10, TimeUnit.SECONDS)).isEqualTo(7);
        }
    }

    @Test
    void replacementsAndTheQueueAreBounded() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ImageWorkers workers = new ImageWorkers(1, 1, 1, Duration.ofMillis(100))) {
            CompletableFuture<Integer> a = workers.submit("a", () -> spin(release));
            assertThatThrownBy(() -> a.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            CompletableFuture<Integer> b = workers.submit("b", () -> spin(release));
            assertThatThrownBy(() -> b.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            assertThat(workers.stuck()).hasSize(2);
            assertThat(workers.threads()).isEqualTo(2); // one worker plus one replacement, not more
            CompletableFuture<Integer> queued = workers.submit("queued", () -> 1);
            CompletableFuture<Integer> refused = workers.submit("refused", () -> 2);
            assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).cause()
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                        assertThat(e.getStatus().getDescription()).contains("queue is full");
                    });
            release.countDown();
            assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        } finally {
            release.countDown();
        }
    }

    @Test
    void aFailingTaskPassesItsErrorOn() {
        try (ImageWorkers workers = new ImageWorkers(1, 4, 1, Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> workers.submit("bad", () -> {
                throw new IllegalArgumentException("bad image");
            }).get(10, TimeUnit.SECONDS)).cause().hasMessage("bad image");
        }
    }
}
