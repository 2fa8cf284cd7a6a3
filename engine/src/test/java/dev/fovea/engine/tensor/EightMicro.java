package dev.fovea.engine.tensor;

import java.lang.foreign.Arena;
import java.util.*;

/** Temporary: single-thread kernel throughput, L2-resident (rows small) or streaming (rows large). */
public final class EightMicro {
    public static void main(String[] args) throws Exception {
        GgmlType type = GgmlType.valueOf(args[0]);
        int n = Integer.parseInt(args[1]);
        int rows = Integer.parseInt(args[2]);
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int cols = 2048;
        var m = KernelBenchmark.class.getDeclaredMethod("random", Arena.class, GgmlType.class, int.class, int.class, long.class);
        m.setAccessible(true);
        try (Arena arena = Arena.ofShared(); Parallel pool = Parallel.create(threads)) {
            WeightMatrix w = (WeightMatrix) m.invoke(null, arena, type, rows, cols, 5L);
            float[] x = new float[n * cols];
            SplittableRandom rnd = new SplittableRandom(7);
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            float[] out = new float[n * rows];
            long reps = Math.max(1, (long) 4e9 / ((long) rows * cols * n));
            double best = 0;
            for (int r = 0; r < 12; r++) {
                long t0 = System.nanoTime();
                for (long i = 0; i < reps; i++) { if (n == 1) w.matVec(x, out, pool); else w.matMul(x, n, out, pool); }
                double s = (System.nanoTime() - t0) / 1e9;
                double gfma = (double) rows * cols * n * reps / 16 / s / 1e9;
                best = Math.max(best, gfma);
                System.out.printf(Locale.ROOT, "%.2f ", gfma);
            }
            System.out.printf(Locale.ROOT, "%n%s n=%d rows=%d threads=%d: best %.2f G fma(512)/s%n", type, n, rows, threads, best);
        }
    }
}
