package dev.fovea.cli;

import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.tensor.VectorWidth;
import picocli.CommandLine.Option;

/** Options shared by the commands that run the engine. */
final class EngineOptions {
    @Option(names = {"-t", "--threads"}, description = "Compute threads (default: the number of cores).")
    Integer threads;

    @Option(names = "--quiet", description = "No progress output on stderr.")
    boolean quiet;

    private static boolean warned;

    Parallel pool() {
        String warning = VectorWidth.warning();
        if (warning != null && !warned) {
            warned = true;
            System.err.println("warning: " + warning);
        }
        if (threads == null) {
            return Parallel.shared();
        }
        if (threads < 1 || threads > Parallel.maxThreads()) {
            throw new IllegalArgumentException("--threads must be between 1 and " + Parallel.maxThreads() + " (4 × the "
                    + Runtime.getRuntime().availableProcessors() + " cores), got " + threads);
        }
        return Parallel.create(threads);
    }

    ConsoleProgress progress() {
        return new ConsoleProgress(!quiet);
    }
}
