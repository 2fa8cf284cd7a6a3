package dev.fovea.cli;

import dev.fovea.engine.Progress;
import java.io.PrintStream;

/** Draws a one-line progress bar on stderr; silent when stderr is not a terminal and {@code quiet} is set. */
final class ConsoleProgress implements Progress {
    private final PrintStream out;
    private final boolean enabled;
    /** What is counted ("questions"), to show the count, rate and time left; null shows the bar alone. */
    private final String unit;
    private long started = -1;
    private String lastLine = "";
    private long lastDraw;
    /** A bar drawn and not yet ended by a newline (any instance: they share stderr). */
    private static volatile boolean lineOpen;

    ConsoleProgress(boolean enabled) {
        this(enabled, null);
    }

    /** A bar that also shows done/total, the rate in {@code unit}s per second and the time left. */
    ConsoleProgress(boolean enabled, String unit) {
        this.out = System.err;
        this.enabled = enabled;
        this.unit = unit;
    }

    @Override
    public synchronized void update(String stage, long done, long total) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (started < 0) {
            started = now;
        }
        boolean finished = done >= total;
        if (!finished && now - lastDraw < 100_000_000L) {
            return; // at most 10 redraws a second
        }
        lastDraw = now;
        int width = 30;
        int filled = total > 0 ? (int) (width * Math.min(1.0, (double) done / total)) : width;
        String line = String.format("%-10s [%s%s] %3d%%", stage, "#".repeat(filled), " ".repeat(width - filled),
                total > 0 ? (int) (100 * done / total) : 100) + rate(done, total, now);
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

    /** " 12/500  1.53 questions/s  ETA 5:19" (the time taken once done), or nothing without a unit. */
    private String rate(long done, long total, long now) {
        if (unit == null) {
            return "";
        }
        double seconds = (now - started) / 1e9;
        double perSecond = seconds > 0 ? done / seconds : 0;
        String time = done >= total ? "took " + clock(seconds)
                : perSecond > 0 ? "ETA " + clock((total - done) / perSecond) : "ETA ?";
        // padded so that a shorter line overwrites all of a longer one
        return String.format(java.util.Locale.ROOT, " %d/%d  %.2f %s/s  %-12s", done, total, perSecond, unit, time);
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
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
