package dev.fovea.engine.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Kernel throughput at TinyLlama-1.1B shapes (22 layers of q, k, v, o, gate, up, down + the output matrix, all in
 * one type), not run by the test suite. Each type gets a whole model's worth of weights in native memory, so a
 * "token" streams every byte once as decoding does: the decode estimate is one mat-vec per matrix, the prompt
 * estimate one 128-token mat-mul per matrix divided by 128, the batch estimate one 8-token mat-mul per matrix. Attention, norms and activations are not included.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp engine/target/classes:engine/target/test-classes \
 *   dev.fovea.engine.tensor.KernelBenchmark [threads] [types...]</pre>
 */
public final class KernelBenchmark {
    private static final int LAYERS = 22;
    private static final int EMBD = 2048;
    private static final int KV = 256;
    private static final int FF = 5632;
    private static final int VOCAB = 32000;
    private static final int PROMPT = 128;
    /** A decode batch: 8 sequences stepping together (continuous batching). */
    private static final int BATCH = 8;

    private record Shape(String name, int rows, int cols) {
    }

    private static final List<Shape> LAYER = List.of(new Shape("q", EMBD, EMBD), new Shape("k", KV, EMBD),
            new Shape("v", KV, EMBD), new Shape("o", EMBD, EMBD), new Shape("gate", FF, EMBD),
            new Shape("up", FF, EMBD), new Shape("down", EMBD, FF));

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        List<GgmlType> types = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            types.add(GgmlType.valueOf(args[i]));
        }
        if (types.isEmpty()) {
            types = List.of(GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.F16);
        }
        try (Parallel pool = Parallel.create(threads)) {
            for (GgmlType t : types) {
                run(t, pool);
            }
        }
    }

    private static void run(GgmlType type, Parallel pool) {
        try (Arena arena = Arena.ofShared()) {
            List<WeightMatrix> ms = new ArrayList<>();
            for (int l = 0; l < LAYERS; l++) {
                for (Shape s : LAYER) {
                    ms.add(random(arena, type, s.rows, s.cols, l * 31 + s.rows));
                }
            }
            ms.add(random(arena, type, VOCAB, EMBD, 99));
            long bytes = 0;
            long macs = 0;
            for (WeightMatrix m : ms) {
                bytes += type.byteSize(m.cols()) * m.rows();
                macs += (long) m.rows() * m.cols();
            }
            float[] x = new float[PROMPT * FF];
            SplittableRandom rnd = new SplittableRandom(7);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            float[] out = new float[PROMPT * VOCAB];

            double decode = Double.MAX_VALUE;
            // enough rounds that the last ones run on C2-compiled kernels (a large kernel compiles seconds in)
            for (int it = 0; it < 20; it++) {
                long t0 = System.nanoTime();
                for (WeightMatrix m : ms) {
                    m.matVec(x, out, pool);
                }
                decode = Math.min(decode, (System.nanoTime() - t0) / 1e9);
            }
            double batch = Double.MAX_VALUE;
            for (int it = 0; it < 4; it++) {
                long t0 = System.nanoTime();
                for (WeightMatrix m : ms) {
                    m.matMul(x, BATCH, out, pool);
                }
                batch = Math.min(batch, (System.nanoTime() - t0) / 1e9);
            }
            double prompt = Double.MAX_VALUE;
            int reps = type == GgmlType.F16 || type == GgmlType.F32 ? 1 : 2;
            for (int it = 0; it < reps; it++) {
                long t0 = System.nanoTime();
                for (WeightMatrix m : ms) {
                    m.matMul(x, PROMPT, out, pool);
                }
                prompt = Math.min(prompt, (System.nanoTime() - t0) / 1e9);
            }
            System.out.printf(Locale.ROOT,
                    "%-5s %2d threads | model %6.0f MB | decode %7.1f ms/token = %6.1f tok/s, %5.1f GB/s "
                            + "| batch(%d) %6.1f tok/s | prompt(%d) %7.1f ms/token = %6.1f tok/s, %6.1f GFLOP/s%n",
                    type, pool.threads(), bytes / 1e6, decode * 1e3, 1 / decode, bytes / decode / 1e9, BATCH,
                    BATCH / batch, PROMPT,
                    prompt / PROMPT * 1e3, PROMPT / prompt, 2.0 * macs * PROMPT / prompt / 1e9);
        }
    }

    /** A matrix of valid random blocks: random quants, small finite scales. */
    private static WeightMatrix random(Arena arena, GgmlType type, int rows, int cols, long seed) {
        long size = type.byteSize(cols) * rows;
        MemorySegment seg = arena.allocate(size, 64);
        int blockBytes = type.typeSize();
        int pattern = blockBytes * 4096;
        byte[] p = new byte[pattern];
        SplittableRandom rnd = new SplittableRandom(seed);
        rnd.nextBytes(p);
        ValueLayout.OfShort s16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        MemorySegment ps = MemorySegment.ofArray(p);
        for (int b = 0; b < 4096; b++) {
            long o = (long) b * blockBytes;
            switch (type) {
                case Q8_0, Q4_0 -> ps.set(s16, o, Float.floatToFloat16(0.01f));
                case Q4_K, Q5_K -> {
                    ps.set(s16, o, Float.floatToFloat16(0.002f));
                    ps.set(s16, o + 2, Float.floatToFloat16(0.001f));
                }
                case Q6_K -> ps.set(s16, o + 208, Float.floatToFloat16(0.001f));
                case F16 -> ps.set(s16, o, Float.floatToFloat16((float) rnd.nextGaussian() * 0.02f));
                case BF16 -> ps.set(s16, o, Quantizer.toBf16((float) rnd.nextGaussian() * 0.02f));
                case F32 -> ps.set(ValueLayout.JAVA_FLOAT_UNALIGNED, o, (float) rnd.nextGaussian() * 0.02f);
                default -> throw new IllegalArgumentException(type.toString());
            }
        }
        for (long o = 0; o < size; o += pattern) {
            MemorySegment.copy(ps, 0, seg, o, Math.min(pattern, size - o));
        }
        return WeightMatrix.of(seg, type, rows, cols);
    }
}
