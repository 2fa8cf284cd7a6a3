package dev.fovea.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kernels give the same bits at 16 and at 8 lanes ({@link VectorWidth}): every shape's products, for batch sizes
 * that reach each kernel (single token, 4- and 8-token passes, the tiled mat-mul), hash to the values recorded at
 * 512 bits ({@code kernel-width-crc.txt}). The build runs this class at the machine's width and again at each forced
 * width ({@code -Dfovea.vectorBits}). {@code -Dfovea.kernelWidth.write=FILE} records the hashes instead.
 */
class KernelWidthTest {
    private static final int[] BATCHES = {1, 3, 4, 8, 12, 16, 17, 40};
    private static final Map<String, Long> RECORDED = new LinkedHashMap<>();
    private static final Map<String, Long> SEEN = new LinkedHashMap<>();
    private static Parallel pool;

    @BeforeAll
    static void load() throws IOException {
        pool = Parallel.create(2);
        try (InputStream in = KernelWidthTest.class.getResourceAsStream("kernel-width-crc.txt")) {
            assertThat(in).as("kernel-width-crc.txt").isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    String[] f = line.trim().split(" ");
                    RECORDED.put(f[0], Long.parseLong(f[1], 16));
                }
            }
        }
    }

    @AfterAll
    static void write() throws IOException {
        pool.close();
        String file = System.getProperty("fovea.kernelWidth.write");
        if (file != null) {
            StringBuilder sb = new StringBuilder("# CRC-32 of the output bits per TYPE/rows/cols/batch, recorded at "
                    + (VectorWidth.WIDE ? 512 : 256) + " bits (KernelWidthTest)\n");
            SEEN.forEach((k, v) -> sb.append(k).append(' ').append(Long.toHexString(v)).append('\n'));
            Files.writeString(Path.of(file), sb.toString());
        }
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> shapes() {
        return WeightMatrixBatchInvarianceTest.shapes();
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void productsHaveTheRecordedBits(GgmlType type, int rows, int cols) {
        WeightMatrix m = WeightMatrixBatchInvarianceTest.random(type, rows, cols, rows * 17L + cols);
        int maxN = BATCHES[BATCHES.length - 1];
        float[] x = WeightMatrixBatchInvarianceTest.activations(maxN, cols, 3);
        for (int n : BATCHES) {
            float[] out = new float[n * rows];
            if (n == 1) {
                m.matVec(x, out, pool);
            } else {
                m.matMul(x, n, out, pool);
            }
            check(type + "/" + rows + "/" + cols + "/" + n, out);
        }
    }

    @Test
    void extremeQ6KSumsStayExact() {
        // every quant at −32, every scale at −128 and activations whose Q8_K values are all −128: each sub-block
        // sum is at its largest, 16 · 32 · 128 · 128 per accumulator lane at 8 lanes — 2^23, still exact
        int rows = 16;
        int cols = 256;
        byte[] b = new byte[Math.toIntExact(GgmlType.Q6_K.byteSize(cols) * rows)];
        for (int r = 0; r < rows; r++) {
            int o = 210 * r;
            for (int i = 192; i < 208; i++) {
                b[o + i] = (byte) -128;
            }
            b[o + 208] = 0x00;
            b[o + 209] = 0x3C; // d = 1.0
        }
        WeightMatrix m = WeightMatrix.of(java.lang.foreign.MemorySegment.ofArray(b), GgmlType.Q6_K, rows, cols);
        float[] x = new float[cols];
        java.util.Arrays.fill(x, -1f);
        float[] out = new float[rows];
        m.matVec(x, out, pool);
        // (−32)·(−128) per value times scale −128, over 256 values, times d · (1/128)
        assertThat(out[0]).isEqualTo(-32f * -128f * -128f * 256f / 128f);
        assertThat(m.dot(5, x, 0)).as("row kernel").isEqualTo(out[5]);
        check("Q6_K/extreme", out);
    }

    private static void check(String key, float[] out) {
        CRC32 crc = new CRC32();
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4 * out.length);
        for (float v : out) {
            buf.putInt(Float.floatToRawIntBits(v));
        }
        crc.update(buf.array());
        SEEN.put(key, crc.getValue());
        if (System.getProperty("fovea.kernelWidth.write") == null) {
            assertThat(RECORDED).as("recorded hash for " + key).containsKey(key);
            assertThat(Long.toHexString(crc.getValue())).as(key + " at " + (VectorWidth.WIDE ? 512 : 256) + " bits")
                    .isEqualTo(Long.toHexString(RECORDED.get(key)));
        }
    }
}
