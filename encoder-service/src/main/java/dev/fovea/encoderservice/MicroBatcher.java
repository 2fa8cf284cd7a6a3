package dev.fovea.encoderservice;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Gathers concurrent requests into batches: the first waiting item opens a batch, which closes when it holds
 * {@code maxBatch} items or {@code maxWait} has passed; one thread runs the batches in order.
 */
final class MicroBatcher<I, O> implements AutoCloseable {
    private record Item<I, O>(I input, CompletableFuture<O> result, long enqueuedNanos) {
    }

    /** Batch size and the queue time of each item, for metrics. */
    record BatchStats(int size, long[] queueNanos) {
    }

    private final BlockingQueue<Item<I, O>> queue = new LinkedBlockingQueue<>();
    private final int maxBatch;
    private final long maxWaitNanos;
    private final Function<List<I>, List<O>> work;
    private final Consumer<BatchStats> stats;
    private final Thread thread;
    private volatile boolean closed;

    MicroBatcher(String name, int maxBatch, long maxWaitMs, Function<List<I>, List<O>> work, Consumer<BatchStats> stats) {
        if (maxBatch < 1 || maxWaitMs < 0) {
            throw new IllegalArgumentException("batch size must be ≥ 1 and wait ≥ 0");
        }
        this.maxBatch = maxBatch;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        this.work = work;
        this.stats = stats;
        this.thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    CompletableFuture<O> submit(I input) {
        CompletableFuture<O> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new IllegalStateException("shutting down"));
        } else {
            queue.add(new Item<>(input, f, System.nanoTime()));
        }
        return f;
    }

    private void run() {
        while (!closed) {
            List<Item<I, O>> batch = new ArrayList<>(maxBatch);
            try {
                Item<I, O> first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + maxWaitNanos;
                while (batch.size() < maxBatch) {
                    long left = deadline - System.nanoTime();
                    Item<I, O> next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long now = System.nanoTime();
            long[] waits = new long[batch.size()];
            List<I> inputs = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                waits[i] = now - batch.get(i).enqueuedNanos();
                inputs.add(batch.get(i).input());
            }
            stats.accept(new BatchStats(batch.size(), waits));
            try {
                List<O> outputs = work.apply(inputs);
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).result().complete(outputs.get(i));
                }
            } catch (RuntimeException e) {
                for (Item<I, O> item : batch) {
                    item.result().completeExceptionally(e);
                }
            }
        }
        Item<I, O> left;
        while ((left = queue.poll()) != null) {
            left.result().completeExceptionally(new IllegalStateException("shutting down"));
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
