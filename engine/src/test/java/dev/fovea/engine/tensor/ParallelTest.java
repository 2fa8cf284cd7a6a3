package dev.fovea.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ParallelTest {
    @Test
    void coversEveryIndexExactlyOnce() {
        try (Parallel p = Parallel.create(3)) {
            assertThat(p.threads()).isEqualTo(3);
            for (int n : new int[] {1, 2, 3, 4, 7, 100, 1001}) {
                for (int rep = 0; rep < 200; rep++) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    p.forRange(n, (from, to) -> {
                        for (int i = from; i < to; i++) {
                            hits.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertThat(hits.get(i)).as("n=%d index %d", n, i).isEqualTo(1);
                    }
                }
            }
            p.forRange(0, (from, to) -> {
                throw new AssertionError("must not run for an empty range");
            });
        }
    }

    @Test
    void usesSeveralThreads() {
        try (Parallel p = Parallel.create(2)) {
            List<Thread> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch both = new CountDownLatch(2);
            p.forRange(2, (from, to) -> {
                seen.add(Thread.currentThread());
                both.countDown();
                try {
                    both.await(); // only returns if both ranges run at the same time
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(seen).hasSize(2).doesNotHaveDuplicates().contains(Thread.currentThread());
        }
    }

    @Test
    void aHeldBackThreadsShareIsTakenOverByTheOthers() {
        try (Parallel p = Parallel.create(2)) {
            Thread caller = Thread.currentThread();
            int n = 64;
            AtomicIntegerArray hits = new AtomicIntegerArray(n);
            AtomicInteger byCaller = new AtomicInteger();
            p.forRange(n, (from, to) -> {
                if (Thread.currentThread() == caller) {
                    byCaller.addAndGet(to - from);
                } else {
                    try {
                        Thread.sleep(20); // a worker that the OS holds back
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                for (int i = from; i < to; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < n; i++) {
                assertThat(hits.get(i)).as("index %d", i).isEqualTo(1);
            }
            // the caller's own share is 32; it also ran what was left of the worker's
            assertThat(byCaller.get()).isGreaterThan(n / 2 + n / 4);
        }
    }

    @Test
    void exceptionsPropagateAfterAllRangesFinish() {
        try (Parallel p = Parallel.create(2)) {
            AtomicInteger finished = new AtomicInteger();
            assertThatThrownBy(() -> p.forRange(2, (from, to) -> {
                if (from == 1) {
                    throw new IllegalArgumentException("worker boom");
                }
                finished.incrementAndGet();
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("worker boom");
            assertThat(finished).hasValue(1);
            assertThatThrownBy(() -> p.forRange(2, (from, to) -> {
                if (from == 0) {
                    throw new IllegalStateException("caller boom");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("caller boom");
            // the pool still works afterwards
            AtomicInteger sum = new AtomicInteger();
            p.forRange(10, (from, to) -> sum.addAndGet(to - from));
            assertThat(sum).hasValue(10);
        }
    }

    @Test
    void nestedCallsRunInline() {
        try (Parallel p = Parallel.create(2)) {
            AtomicInteger inner = new AtomicInteger();
            p.forRange(4, (from, to) -> {
                for (int i = from; i < to; i++) {
                    p.forRange(5, (a, b) -> inner.addAndGet(b - a));
                }
            });
            assertThat(inner).hasValue(20);
        }
    }

    @Test
    void concurrentCallersTakeTurns() throws InterruptedException {
        try (Parallel p = Parallel.create(2)) {
            AtomicInteger total = new AtomicInteger();
            List<Thread> callers = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                Thread t = new Thread(() -> {
                    for (int i = 0; i < 500; i++) {
                        p.forRange(8, (from, to) -> total.addAndGet(to - from));
                    }
                });
                callers.add(t);
                t.start();
            }
            for (Thread t : callers) {
                t.join();
            }
            assertThat(total).hasValue(4 * 500 * 8);
        }
    }

    @Test
    void workersWakeAfterParking() throws InterruptedException {
        try (Parallel p = Parallel.create(2)) {
            Thread.sleep(50); // long enough for the workers to stop spinning and park
            AtomicInteger sum = new AtomicInteger();
            p.forRange(100, (from, to) -> sum.addAndGet(to - from));
            assertThat(sum).hasValue(100);
        }
    }

    @Test
    void closedPoolRejectsWorkAndSharedPoolIgnoresClose() {
        Parallel p = Parallel.create(2);
        p.close();
        assertThatThrownBy(() -> p.forRange(4, (from, to) -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Parallel.create(0)).isInstanceOf(IllegalArgumentException.class);
        Parallel.shared().close();
        AtomicInteger sum = new AtomicInteger();
        Parallel.shared().forRange(3, (from, to) -> sum.addAndGet(to - from));
        assertThat(sum).hasValue(3);
    }
}
