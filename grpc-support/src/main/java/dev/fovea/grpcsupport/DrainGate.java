package dev.fovea.grpcsupport;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Lets a replica that is asked to stop finish the calls it serves without taking new ones. Calls pass the gate while
 * it is open; once {@link #drain} starts, new calls are refused with UNAVAILABLE (a front end retries those on another
 * replica), the calls inside get until the drain timeout to finish, and the ones still running then are ended with
 * UNAVAILABLE saying the request may be retried. Not a bean: each service owns one and decides when to drain.
 */
public final class DrainGate {
    private static final Logger LOG = Logger.getLogger(DrainGate.class);

    /** A call inside the gate. Close it once the call's last message is sent (or it failed): the drain waits for it. */
    public final class Pass implements AutoCloseable {
        private final String method;
        private final Consumer<Status> end;

        private Pass(String method, Consumer<Status> end) {
            this.method = method;
            this.end = end;
        }

        @Override
        public void close() {
            leave(this);
        }
    }

    private final String replica;
    private final Set<Pass> inside = new LinkedHashSet<>();
    private boolean draining;

    /** @param replica how refusals name this replica, e.g. "llm replica" */
    public DrainGate(String replica) {
        this.replica = replica;
    }

    /**
     * Lets a call in, or refuses it with a StatusRuntimeException (UNAVAILABLE) once draining has begun.
     *
     * @param method the gRPC method, for the messages
     * @param end    ends the call with the status given when it outlasts the drain: it must send that status
     *               unless the call already ended, and stop the call's work
     */
    public synchronized Pass enter(String method, Consumer<Status> end) {
        if (draining) {
            throw Status.UNAVAILABLE.withDescription(replica + " draining: it is shutting down and takes no new "
                    + method + " calls; retry on another replica").asRuntimeException();
        }
        Pass pass = new Pass(method, end);
        inside.add(pass);
        return pass;
    }

    public synchronized boolean draining() {
        return draining;
    }

    /** Calls inside the gate now. */
    public synchronized int inside() {
        return inside.size();
    }

    private synchronized void leave(Pass pass) {
        if (inside.remove(pass)) {
            notifyAll();
        }
    }

    /**
     * Closes the gate, waits up to {@code timeout} for the calls inside to finish, then ends the rest with
     * UNAVAILABLE. Returns how many it had to end. Calling it again waits again for whatever is still inside.
     */
    public int drain(Duration timeout) {
        List<Pass> left;
        synchronized (this) {
            if (!draining) {
                LOG.infof("%s draining: %d call(s) in flight, waiting up to %s", replica, inside.size(),
                        show(timeout));
            }
            draining = true;
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                for (long wait = timeout.toMillis(); !inside.isEmpty() && wait > 0;
                        wait = (deadline - System.nanoTime()) / 1_000_000) {
                    wait(wait);
                }
            } catch (InterruptedException e) {
                // asked to hurry: end what is left now
                Thread.currentThread().interrupt();
            }
            left = new ArrayList<>(inside);
        }
        if (left.isEmpty()) {
            LOG.infof("%s drained", replica);
            return 0;
        }
        LOG.warnf("%s: %d call(s) still running after the drain timeout of %s; ending them", replica, left.size(),
                show(timeout));
        for (Pass p : left) {
            p.end.accept(Status.UNAVAILABLE.withDescription(replica + " shut down before this " + p.method
                    + " call finished (drain timeout " + show(timeout) + "); the request may be retried"));
        }
        return left.size();
    }

    private static String show(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
