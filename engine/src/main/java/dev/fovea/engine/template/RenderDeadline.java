package dev.fovea.engine.template;

/**
 * The time bound of the render running on this thread. Jinjava has no time limit and never looks at interrupts,
 * so the places a long render must pass through look here instead: every {@code for} block (nested loops multiply,
 * so each inner loop is a check) and every variable or method lookup. Once the time is up every check fails, so
 * the loops around it unwind quickly.
 */
final class RenderDeadline {
    private static final ThreadLocal<long[]> DEADLINE = new ThreadLocal<>();

    private RenderDeadline() {
    }

    /** Starts the bound for a render on this thread; {@link #end()} must follow. */
    static void start(long limitNanos) {
        DEADLINE.set(new long[] {System.nanoTime() + limitNanos, 0});
    }

    static void end() {
        DEADLINE.remove();
    }

    /** Whether the render on this thread has run out of time (then it stays so). */
    static boolean expired() {
        long[] d = DEADLINE.get();
        if (d == null) {
            return false;
        }
        if (d[1] == 0 && System.nanoTime() - d[0] > 0) {
            d[1] = 1;
        }
        return d[1] != 0;
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
