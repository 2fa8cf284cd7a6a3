package dev.fovea.engine.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The compute pool: a fixed set of persistent daemon worker threads that split index ranges with the calling
 * thread.
 *
 * <p>A decode step calls {@link #forRange} a few hundred times per token, so dispatch must cost microseconds,
 * not the tens of microseconds of an executor round trip. Workers therefore wait on a generation counter,
 * spinning for a short while before parking; the caller runs the first share itself and then waits for the
 * others the same way. One {@code forRange} runs at a time per pool: callers from different threads take turns,
 * and a call made from inside a running body (by a worker or by the caller's own share) runs inline, so nesting
 * never deadlocks.
 */
public final class Parallel implements AutoCloseable {
    /** About 20-50 µs of spinning before a waiting thread parks: longer than the gaps between a decode's calls. */
    private static final int SPINS = 20_000;

    private static final Parallel SHARED = new Parallel(defaultThreads(), true);

    private final int threads;
    private final boolean shared;
    private final Worker[] workers;
    private final ReentrantLock callers = new ReentrantLock();
    private final ThreadLocal<Boolean> inside = ThreadLocal.withInitial(() -> Boolean.FALSE);

    /** The latest job; a new object per call so that a late worker never mixes two calls' fields. */
    private volatile Job job = new Job(0, null, 0, 0);
    private volatile Thread waiter;
    private volatile boolean closed;

    private Parallel(int threads, boolean shared) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
        }
        if (threads > maxThreads()) {
            throw new IllegalArgumentException("thread count " + threads + " is more than the limit of " + maxThreads()
                    + " (" + THREADS_PER_CORE + " × the " + Runtime.getRuntime().availableProcessors() + " cores)");
        }
        this.threads = threads;
        this.shared = shared;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    /**
     * Most threads a pool may have: a few per core. More only contend for the same cores, and an unchecked count
     * (a typo, a hostile flag) would start thousands of threads and exhaust the process.
     */
    public static int maxThreads() {
        return THREADS_PER_CORE * Runtime.getRuntime().availableProcessors();
    }

    private static final int THREADS_PER_CORE = 4;

    private static int defaultThreads() {
        int n = Integer.getInteger("fovea.threads", Runtime.getRuntime().availableProcessors());
        // clamped, not refused: a failure here would leave the class unusable
        return Math.clamp(n, 1, maxThreads());
    }

    /** The process-wide pool, sized by the system property {@code fovea.threads} (default: available cores). */
    public static Parallel shared() {
        return SHARED;
    }

    /** A new pool of {@code threads} threads in all (the caller counts as one); close it when done. */
    public static Parallel create(int threads) {
        return new Parallel(threads, false);
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over [0, n) and returns when all of it is done. [0, n) is split into at most
     * {@link #threads()} contiguous shares, one per thread, each run as a few consecutive sub-ranges in order; a
     * thread that finishes its share early takes the sub-ranges still left of the others'. So {@code body} may be
     * called several times per thread, on disjoint ranges that together cover [0, n) once. An exception thrown by
     * any range is rethrown here (after every thread has stopped).
     */
    public void forRange(int n, Range body) {
        if (n <= 0) {
            return;
        }
        if (closed) {
            throw new IllegalStateException("Parallel pool is closed");
        }
        int parts = Math.min(threads, n);
        if (parts == 1 || inside.get() || Thread.currentThread() instanceof Worker w && w.pool() == this) {
            body.run(0, n);
            return;
        }
        callers.lock();
        inside.set(Boolean.TRUE);
        try {
            dispatch(n, parts, body);
        } finally {
            inside.set(Boolean.FALSE);
            callers.unlock();
        }
    }

    private void dispatch(int n, int parts, Range body) {
        Job current = new Job(job.generation + 1, body, n, parts);
        job = current; // volatile write: publishes the job
        for (int i = 0; i < parts - 1; i++) {
            Worker w = workers[i];
            if (w.parked) {
                LockSupport.unpark(w);
            }
        }
        Throwable own = current.runShares(0);
        awaitWorkers(current);
        Throwable other = current.failure;
        if (own == null) {
            own = other;
        } else if (other != null && other != own) {
            own.addSuppressed(other);
        }
        if (own instanceof RuntimeException e) {
            throw e;
        }
        if (own instanceof Error e) {
            throw e;
        }
        if (own != null) {
            throw new RuntimeException(own);
        }
    }

    private static int bound(int n, int parts, int i) {
        return (int) ((long) n * i / parts);
    }

    private void awaitWorkers(Job current) {
        for (int i = 0; i < SPINS; i++) {
            if (current.pending.get() == 0) {
                return;
            }
            Thread.onSpinWait();
        }
        waiter = Thread.currentThread();
        while (current.pending.get() != 0) {
            LockSupport.park(this);
        }
        waiter = null;
    }

    /** Stops the workers. The shared pool ignores close: it lives as long as the process. */
    @Override
    public void close() {
        if (shared || closed) {
            return;
        }
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /**
     * One call: [0, size) in {@code parts} contiguous shares, each handed out in pieces from its start. Each thread
     * works through its own share and then takes the pieces that are left of the others', so that a thread the OS
     * or the host holds back (measured: one of this machine's two vCPUs ran the same share about 15 % slower)
     * does not hold up the call. A thread's own pieces come in address order, so a kernel's memory stream stays
     * sequential.
     */
    private static final class Job {
        /** Pieces per share: fine enough to even out a 15 % difference, coarse enough to keep streams long. */
        private static final int PIECES = 16;
        /** Ints between two shares' cursors: one cache line each, so the owners do not contend. */
        private static final int PAD = 16;

        final long generation;
        final Range body;
        final int size;
        final int parts;
        final AtomicInteger pending;
        /** Per share, the start of its next unclaimed piece. */
        final AtomicIntegerArray cursors;
        volatile Throwable failure;

        Job(long generation, Range body, int size, int parts) {
            this.generation = generation;
            this.body = body;
            this.size = size;
            this.parts = parts;
            this.pending = new AtomicInteger(Math.max(0, parts - 1));
            this.cursors = new AtomicIntegerArray(parts * PAD);
            for (int i = 0; i < parts; i++) {
                cursors.set(i * PAD, bound(size, parts, i));
            }
        }

        /** Runs share {@code own}, then what is left of the others'; returns what a piece threw, if anything. */
        Throwable runShares(int own) {
            for (int k = 0; k < parts; k++) {
                int share = (own + k) % parts;
                int end = bound(size, parts, share + 1);
                int piece = Math.max(1, (end - bound(size, parts, share)) / PIECES);
                for (int from = cursors.getAndAdd(share * PAD, piece); from < end;
                     from = cursors.getAndAdd(share * PAD, piece)) {
                    try {
                        body.run(from, Math.min(end, from + piece));
                    } catch (Throwable t) {
                        return t;
                    }
                }
            }
            return null;
        }
    }

    private final class Worker extends Thread {
        private final int index;
        volatile boolean parked;

        Worker(int index) {
            super("fovea-compute-" + index);
            this.index = index;
            setDaemon(true);
        }

        Parallel pool() {
            return Parallel.this;
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                Job j = awaitJob(seen);
                if (j == null) {
                    return;
                }
                seen = j.generation;
                if (index < j.parts) {
                    Throwable t = j.runShares(index);
                    if (t != null) {
                        j.failure = t;
                    }
                    if (j.pending.decrementAndGet() == 0) {
                        Thread w = waiter;
                        if (w != null) {
                            LockSupport.unpark(w);
                        }
                    }
                }
            }
        }

        /** The next job after generation {@code seen}, or null when the pool closed. */
        private Job awaitJob(long seen) {
            for (int i = 0; i < SPINS; i++) {
                Job j = job;
                if (j.generation != seen) {
                    return j;
                }
                if (closed) {
                    return null;
                }
                Thread.onSpinWait();
            }
            while (true) {
                parked = true; // volatile write, then re-read job: pairs with dispatch's write-then-read
                Job j = job;
                if (j.generation != seen || closed) {
                    parked = false;
                    return closed ? null : j;
                }
                LockSupport.park(Parallel.this);
                parked = false;
            }
        }
    }
}
