package dev.fovea.cli;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** A task's result, or the exception it failed with (not wrapped), so that the CLI's one-line errors name it. */
final class Futures {
    private Futures() {
    }

    static <T> T result(Future<T> f) throws Exception {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }
}
