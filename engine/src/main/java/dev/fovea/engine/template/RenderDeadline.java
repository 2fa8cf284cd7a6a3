package dev.fovea.engine.template;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The time bound of the render running on this thread. Jinjava has no time limit and never looks at interrupts,
 * so the places a long render must pass through look here instead: every {@code for} block (nested loops multiply,
 * so each inner loop is a check) and every variable or method lookup. Once the time is up every check fails, so
 * the loops around it unwind quickly.
 *
 * <p>The bound is the thread's CPU time where the JVM measures it: a hostile template burns CPU, while a render that
 * waits for the CPU (a loaded machine, a cold JVM compiling) is not one and must not fail — a wall-clock bound of 2 s
 * failed the first render of a test beside a training run. Elapsed time is read first, as it is cheap: the CPU time
 * is only asked for once as much wall time has passed as CPU time was left (a thread cannot use more CPU time than
 * elapses). Where CPU time is not measured, and past {@link #WALL_CAP} times the limit in any case, elapsed time is
 * the bound.
 */
final class RenderDeadline {
    private static final ThreadLocal<State> STATE = new ThreadLocal<>();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean CPU_TIME = THREADS.isCurrentThreadCpuTimeSupported() && cpuTimeEnabled();
    /** However starved the render is, it ends after this many times its limit of elapsed time. */
    static final int WALL_CAP = 15;

    private RenderDeadline() {
    }

    private static boolean cpuTimeEnabled() {
        try {
            if (!THREADS.isThreadCpuTimeEnabled()) {
                THREADS.setThreadCpuTimeEnabled(true);
            }
            return THREADS.getCurrentThreadCpuTime() >= 0;
        } catch (UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static final class State {
        final long limit;
        final long wallStart;
        final long cpuStart;
        /** Before this elapsed-time instant the limit cannot have been reached. */
        long nextCheck;
        boolean expired;

        State(long limit) {
            this.limit = limit;
            this.wallStart = System.nanoTime();
            this.cpuStart = CPU_TIME ? THREADS.getCurrentThreadCpuTime() : 0;
            this.nextCheck = wallStart + limit;
        }
    }

    /** Starts the bound for a render on this thread; {@link #end()} must follow. */
    static void start(long limitNanos) {
        STATE.set(new State(limitNanos));
    }

    static void end() {
        STATE.remove();
    }

    /** Whether the render on this thread has used up its time (then it stays so). */
    static boolean expired() {
        State s = STATE.get();
        if (s == null) {
            return false;
        }
        if (s.expired) {
            return true;
        }
        long now = System.nanoTime();
        if (now - s.nextCheck < 0) {
            return false;
        }
        if (!CPU_TIME || now - s.wallStart >= WALL_CAP * s.limit) {
            s.expired = true;
            return true;
        }
        long used = THREADS.getCurrentThreadCpuTime() - s.cpuStart;
        if (used >= s.limit) {
            s.expired = true;
        } else {
            s.nextCheck = now + (s.limit - used);
        }
        return s.expired;
    }

    static void check() {
        if (expired()) {
            throw new OverTime();
        }
    }

    /** Thrown through Jinjava to stop the render; cheap, as the loops it unwinds may throw it many times. */
    static final class OverTime extends RuntimeException {
        OverTime() {
            super("the chat template ran past its time limit", null, false, false);
        }
    }
}
