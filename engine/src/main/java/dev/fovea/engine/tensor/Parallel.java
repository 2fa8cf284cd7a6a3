package dev.fovea.engine.tensor;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;

// SCRATCH (uncommitted): replaced by the tensor branch
public final class Parallel implements AutoCloseable {
    private static final Parallel SHARED = create(Integer.getInteger("fovea.threads", Runtime.getRuntime().availableProcessors()));
    private final int threads;
    private final ExecutorService exec;
    private Parallel(int t) { threads = t; exec = Executors.newFixedThreadPool(t, r -> { Thread th = new Thread(r); th.setDaemon(true); return th; }); }
    public static Parallel shared() { return SHARED; }
    public static Parallel create(int t) { return new Parallel(t); }
    public int threads() { return threads; }
    public void forRange(int n, Range body) {
        if (n <= 0) return;
        int t = Math.min(threads, n);
        if (t == 1) { body.run(0, n); return; }
        var fs = new ArrayList<Future<?>>();
        for (int i = 1; i < t; i++) { int from = (int) ((long) n * i / t), to = (int) ((long) n * (i + 1) / t); fs.add(exec.submit(() -> body.run(from, to))); }
        body.run(0, (int) ((long) n / t));
        try { for (var f : fs) f.get(); } catch (Exception e) { throw new RuntimeException(e); }
    }
    @FunctionalInterface public interface Range { void run(int from, int to); }
    public void close() { exec.shutdown(); }
}
