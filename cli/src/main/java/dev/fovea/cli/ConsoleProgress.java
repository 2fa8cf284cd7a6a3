package dev.fovea.cli;

import dev.fovea.engine.Progress;
import java.io.PrintStream;

/** Draws a one-line progress bar on stderr; silent when stderr is not a terminal and {@code quiet} is set. */
final class ConsoleProgress implements Progress {
    private final PrintStream out;
    private final boolean enabled;
    private String lastLine = "";
    private long lastDraw;
    /** A bar drawn and not yet ended by a newline (any instance: they share stderr). */
    private static volatile boolean lineOpen;

    ConsoleProgress(boolean enabled) {
        this.out = System.err;
        this.enabled = enabled;
    }

    @Override
    public synchronized void update(String stage, long done, long total) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        boolean finished = done >= total;
        if (!finished && now - lastDraw < 100_000_000L) {
            return; // at most 10 redraws a second
        }
        lastDraw = now;
        int width = 30;
        int filled = total > 0 ? (int) (width * Math.min(1.0, (double) done / total)) : width;
        String line = String.format("%-10s [%s%s] %3d%%", stage, "#".repeat(filled), " ".repeat(width - filled),
                total > 0 ? (int) (100 * done / total) : 100);
        if (!line.equals(lastLine)) {
            out.print("\r" + line);
            lastLine = line;
            lineOpen = true;
        }
        if (finished) {
            out.println();
            lastLine = "";
            lineOpen = false;
        }
    }

    /** Ends a bar left mid-line (a failure while loading), so that what is printed next has its own line. */
    static void endLine() {
        if (lineOpen) {
            System.err.println();
            System.err.flush();
            lineOpen = false;
        }
    }
}
