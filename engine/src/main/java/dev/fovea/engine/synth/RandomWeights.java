package dev.fovea.engine.synth;

import dev.fovea.engine.tensor.Parallel;
import java.util.SplittableRandom;

/**
 * Deterministic random tensor contents. Each tensor gets its own stream from the file seed and the tensor's name,
 * and each chunk of rows its own split of it, so the values do not depend on the thread count.
 */
public final class RandomWeights {
    private final long seed;

    public RandomWeights(long seed) {
        this.seed = seed;
    }

    /** Fills {@code rows × cols} values (rows [firstRow, firstRow + rows) of tensor {@code name}) uniformly in ±amplitude. */
    public void fill(String name, long firstRow, int rows, int cols, float amplitude, float[] dst, Parallel pool) {
        long tensorSeed = seed * 0x9E3779B97F4A7C15L ^ name.hashCode();
        pool.forRange(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                // one generator per row: cheap, and independent of how rows are split over threads
                SplittableRandom rnd = new SplittableRandom(tensorSeed + 0x632BE59BD9B4E019L * (firstRow + r));
                int base = r * cols;
                for (int c = 0; c < cols; c++) {
                    dst[base + c] = (float) ((rnd.nextDouble() * 2 - 1) * amplitude);
                }
            }
        });
    }

    /** Uniform amplitude whose standard deviation is {@code std}. */
    public static float amplitudeForStd(float std) {
        return (float) (std * Math.sqrt(3));
    }
}
