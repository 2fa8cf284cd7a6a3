package dev.fovea.encoderservice;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that decode and preprocess images, away from the I/O threads. Each task has a deadline: past it, the
 * caller gets an {@link IllegalArgumentException} at once, even though an image decoder cannot always be stopped,
 * and the overdue task counts as stuck until its thread comes back. A replacement thread keeps the pool's capacity
 * while a task is stuck, up to {@code maxStuck} replacements, so the threads never exceed
 * {@code workers + maxStuck}. Waiting tasks are bounded too: a full queue is RESOURCE_EXHAUSTED.
 */
final class ImageWorkers implements AutoCloseable {
    /** Work past its deadline whose thread is still busy with it. */
    record Stuck(String what, long overdueMillis) {
    }

    private static final int WAITING = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;
    private static final int OVERDUE = 3;

    private static final class Task<T> {
        final String what;
        final Callable<T> work;
        final CompletableFuture<T> result = new CompletableFuture<>();
        final AtomicInteger state = new AtomicInteger(WAITING);
        volatile long startedNanos;
        volatile Thread thread;
        /** Whether a replacement thread took over this task's place in the pool. */
        volatile boolean replaced;

        Task(String what, Callable<T> work) {
            this.what = what;
            this.work = work;
        }
    }

    private final BlockingQueue<Task<?>> queue;
    private final Set<Task<?>> overdue = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService watchdog;
    private final Duration deadline;
    private final int maxStuck;
    private final AtomicInteger replacements = new AtomicInteger();
    private final AtomicInteger threadCount = new AtomicInteger();
    private final AtomicInteger liveThreads = new AtomicInteger();
    private volatile boolean closed;

    ImageWorkers(int workers, int maxQueued, int maxStuck, Duration deadline) {
        if (workers < 1 || maxQueued < 1 || maxStuck < 0 || deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("image workers need >= 1 thread, a queue of >= 1, >= 0 replacements and a "
                    + "positive deadline");
        }
        this.queue = new ArrayBlockingQueue<>(maxQueued);
        this.deadline = deadline;
        this.maxStuck = maxStuck;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("fovea-image-watchdog").daemon().priority(Thread.MAX_PRIORITY).unstarted(r));
        for (int i = 0; i < workers; i++) {
            startWorker();
        }
    }

    /** Runs {@code work} on a worker; {@code what} names it in the readiness report while it is stuck. */
    <T> CompletableFuture<T> submit(String what, Callable<T> work) {
        Task<T> t = new Task<>(what, work);
        if (closed) {
            t.result.completeExceptionally(Status.UNAVAILABLE.withDescription("the encoder is shutting down")
                    .asRuntimeException());
        } else if (!queue.offer(t)) {
            t.result.completeExceptionally(Status.RESOURCE_EXHAUSTED.withDescription("the encoder's image queue is full ("
                    + queue.size() + " images waiting); retry later").asRuntimeException());
        }
        return t.result;
    }

    /** The tasks running past their deadline now. */
    List<Stuck> stuck() {
        List<Stuck> out = new ArrayList<>();
        long now = System.nanoTime();
        for (Task<?> t : overdue) {
            out.add(new Stuck(t.what, TimeUnit.NANOSECONDS.toMillis(now - t.startedNanos - deadline.toNanos())));
        }
        return out;
    }

    Duration deadline() {
        return deadline;
    }

    /** Threads alive in the pool (workers plus replacements whose stuck predecessor has not come back). */
    int threads() {
        return liveThreads.get();
    }

    private void startWorker() {
        liveThreads.incrementAndGet();
        Thread.ofPlatform().name("fovea-image-" + threadCount.incrementAndGet()).daemon().start(this::work);
    }

    private void work() {
        try {
            while (!closed) {
                Task<?> t;
                try {
                    t = queue.poll(200, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.interrupted(); // an interrupt meant for an overdue task may land late: keep serving
                    continue;
                }
                if (t != null && run(t)) {
                    return; // this thread was stuck and has been replaced: the replacement carries on
                }
            }
        } finally {
            liveThreads.decrementAndGet();
        }
    }

    /** Runs one task; true when it went overdue and a replacement took this thread's place. */
    private <T> boolean run(Task<T> t) {
        t.thread = Thread.currentThread();
        t.startedNanos = System.nanoTime();
        if (!t.state.compareAndSet(WAITING, RUNNING)) {
            return false;
        }
        ScheduledFuture<?> alarm = watchdog.schedule(() -> expire(t), deadline.toNanos(), TimeUnit.NANOSECONDS);
        T value = null;
        Throwable failure = null;
        try {
            value = t.work.call();
        } catch (Throwable e) {
            failure = e;
        } finally {
            alarm.cancel(false);
            Thread.interrupted();
        }
        if (t.state.compareAndSet(RUNNING, DONE)) {
            if (failure != null) {
                t.result.completeExceptionally(failure);
            } else {
                t.result.complete(value);
            }
            return false;
        }
        synchronized (t) { // it went overdue: the caller already has its answer
            Thread.interrupted();
            overdue.remove(t);
            if (t.replaced) {
                replacements.decrementAndGet();
                return true;
            }
            return false;
        }
    }

    private void expire(Task<?> t) {
        synchronized (t) {
            if (!t.state.compareAndSet(RUNNING, OVERDUE)) {
                return;
            }
            overdue.add(t);
            if (replacements.incrementAndGet() <= maxStuck && !closed) {
                t.replaced = true;
                startWorker();
            } else {
                replacements.decrementAndGet();
            }
            t.thread.interrupt(); // a decoder that checks interrupts stops early; one that does not runs on
        }
        t.result.completeExceptionally(new IllegalArgumentException("image decoding exceeded the limit of "
                + describe(deadline) + " (fovea.encoder.decode-timeout)"));
    }

    static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    @Override
    public void close() {
        closed = true;
        watchdog.shutdownNow();
        Task<?> t;
        while ((t = queue.poll()) != null) {
            t.result.completeExceptionally(Status.UNAVAILABLE.withDescription("the encoder is shutting down")
                    .asRuntimeException());
        }
    }
}
