package dev.fovea.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.fovea.engine.tensor.GgmlType;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader against broken and malicious files: each must fail with a {@link GgufFormatException} that says
 * what is wrong, quickly, without huge allocations, and never with another exception type.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GgufHostileFileTest {
    private static final int F32 = GgmlType.F32.id();
    private static final int Q8_0 = GgmlType.Q8_0.id();
    private static final long[] INTERESTING = {0, 1, 2, 31, 32, 33, 255, 1L << 31, (1L << 32) - 1, 1L << 32,
            1L << 40, Long.MAX_VALUE, Long.MIN_VALUE, -1};

    @TempDir
    Path dir;

    private Path write(byte[] bytes) throws IOException {
        Path p = dir.resolve("hostile.gguf");
        Files.write(p, bytes);
        return p;
    }

    /** Opens the bytes as a file and reads every tensor's data; returns normally only if all of that worked. */
    private void openAndTouch(byte[] bytes) throws IOException {
        try (GgufFile f = GgufFile.open(write(bytes))) {
            for (GgufTensorInfo t : f.tensors()) {
                var data = f.data(t);
                if (data.byteSize() > 0) {
                    data.get(ValueLayout.JAVA_BYTE, 0);
                    data.get(ValueLayout.JAVA_BYTE, data.byteSize() - 1);
                }
            }
            f.metadata().forEach((k, v) -> {
                assertThat(k).isNotNull();
                assertThat(v.value()).isNotNull();
            });
        }
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertRejected(byte[] bytes) {
        return assertThatThrownBy(() -> openAndTouch(bytes)).isInstanceOf(GgufFormatException.class);
    }

    /** A small valid file: metadata of several types, three tensors, the last one ending on the alignment. */
    private byte[] smallValidFile() throws IOException {
        Path p = dir.resolve("valid.gguf");
        try (GgufWriter w = GgufWriter.create(p)) {
            w.putString("general.architecture", "llama").putUint32("llama.block_count", 2)
                    .putFloat32("llama.rope.freq_base", 10000f).putBool("tokenizer.ggml.add_bos_token", true)
                    .putArray("tokenizer.ggml.tokens", GgufValueType.STRING, new String[] {"<unk>", "a", "bc"})
                    .putArray("tokenizer.ggml.scores", GgufValueType.FLOAT32, new float[] {0, -1, -2})
                    .putArray("nested", GgufValueType.ARRAY, new GgufValue[] {
                            new GgufValue(GgufValueType.ARRAY, GgufValueType.INT32, new int[] {1, 2})});
            w.addTensor("a", GgmlType.F32, 8).addTensor("b", GgmlType.Q8_0, 32, 2).addTensor("c", GgmlType.F16, 16);
            byte[] data = new byte[96];
            new Random(1).nextBytes(data);
            w.writeTensorData(java.util.Arrays.copyOf(data, 32));
            w.writeTensorData(java.util.Arrays.copyOf(data, 68));
            w.writeTensorData(java.util.Arrays.copyOf(data, 32));
        }
        byte[] bytes = Files.readAllBytes(p);
        openAndTouch(bytes); // sanity: the base file is valid
        return bytes;
    }

    // ---- magic and version ----------------------------------------------------------------------------------------

    @Test
    void rejectsBadMagic() throws Exception {
        assertRejected(new byte[0]).hasMessageContaining("bad magic");
        assertRejected(new byte[] {'G', 'G', 'U'}).hasMessageContaining("bad magic");
        assertRejected(new RawGguf().u32(0x4C4D4747).u32(3).u64(0).u64(0).toBytes()).hasMessageContaining("bad magic");
        assertRejected("GGUF is what this text is about, not a file".getBytes()).hasMessageContaining("version");
    }

    @Test
    void rejectsUnsupportedVersions() throws Exception {
        for (long v : new long[] {0, 1, 4, 0xFFFF_FFFFL}) {
            byte[] b = new RawGguf().u32(GgufFile.MAGIC).u32(v).u64(0).u64(0).toBytes();
            assertRejected(b).hasMessageContaining("GGUF version " + (int) v + " is not supported");
        }
    }

    // ---- truncation -----------------------------------------------------------------------------------------------

    @Test
    void rejectsEveryTruncationOfAValidFile() throws Exception {
        byte[] valid = smallValidFile();
        for (int len = 0; len < valid.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(valid, len);
            try {
                openAndTouch(cut);
                fail("truncated to " + len + " of " + valid.length + " bytes but opened");
            } catch (GgufFormatException e) {
                assertThat(e.getMessage()).as("message at length " + len)
                        .containsAnyOf("truncated", "bad magic", "exceeds the file", "impossible for a file");
            } catch (Throwable t) {
                throw new AssertionError("truncated to " + len + " bytes: " + t, t);
            }
        }
    }

    // ---- counts and lengths ---------------------------------------------------------------------------------------

    @Test
    void rejectsHugeCountsFast() throws Exception {
        for (long n : new long[] {1L << 40, 1L << 63, -1L, Integer.MAX_VALUE}) {
            String shown = Long.toUnsignedString(n);
            long start = System.nanoTime();
            assertRejected(RawGguf.header(n, 0).zeros(64).toBytes()).hasMessageContaining("tensor count " + shown)
                    .hasMessageContaining("impossible");
            assertRejected(RawGguf.header(0, n).zeros(64).toBytes()).hasMessageContaining("metadata count " + shown)
                    .hasMessageContaining("impossible");
            assertThat(System.nanoTime() - start).as("fails fast").isLessThan(TimeUnit.SECONDS.toNanos(2));
        }
    }

    @Test
    void rejectsHugeStringLengths() throws Exception {
        for (long n : new long[] {1L << 40, 1L << 63, -1L, 100}) {
            // as a key
            assertRejected(RawGguf.header(0, 1).u64(n).zeros(40).toBytes()).hasMessageContaining("string length");
            // as a value
            assertRejected(RawGguf.header(0, 1).str("k").u32(GgufValueType.STRING.id()).u64(n).zeros(40).toBytes())
                    .hasMessageContaining("string length " + Long.toUnsignedString(n))
                    .hasMessageContaining("metadata value of 'k'");
            // as a tensor name
            assertRejected(RawGguf.header(1, 0).u64(n).zeros(40).toBytes()).hasMessageContaining("string length");
        }
    }

    @Test
    void rejectsHugeArrayCounts() throws Exception {
        for (GgufValueType et : GgufValueType.values()) {
            for (long n : new long[] {1L << 40, 1L << 63, -1L, 1000}) {
                byte[] b = RawGguf.header(0, 1).str("arr").u32(GgufValueType.ARRAY.id()).u32(et.id()).u64(n)
                        .zeros(64).toBytes();
                assertRejected(b).hasMessageContaining("metadata value of 'arr'")
                        .hasMessageContaining("array element count " + Long.toUnsignedString(n) + " is impossible");
            }
        }
    }

    @Test
    void rejectsUnknownValueTypes() throws Exception {
        for (long t : new long[] {13, 99, 0xFFFF_FFFFL}) {
            assertRejected(RawGguf.header(0, 1).str("k").u32(t).zeros(16).toBytes())
                    .hasMessageContaining("unknown metadata value type " + t).hasMessageContaining("'k'");
            assertRejected(RawGguf.header(0, 1).str("k").u32(GgufValueType.ARRAY.id()).u32(t).u64(1).zeros(16).toBytes())
                    .hasMessageContaining("unknown metadata value type " + t);
        }
    }

    @Test
    void rejectsBadBool() throws Exception {
        assertRejected(RawGguf.header(0, 1).str("b").u32(GgufValueType.BOOL.id()).u8(2).toBytes())
                .hasMessageContaining("bool value 2 is neither 0 nor 1");
    }

    @Test
    void rejectsDeeplyNestedArrays() throws Exception {
        for (int depth : new int[] {9, 100, 100_000}) {
            RawGguf r = RawGguf.header(0, 1).str("deep").u32(GgufValueType.ARRAY.id());
            for (int i = 0; i < depth - 1; i++) r.u32(GgufValueType.ARRAY.id()).u64(1);
            r.u32(GgufValueType.UINT8.id()).u64(1).u8(7);
            assertRejected(r.toBytes()).hasMessageContaining("nested deeper than 8");
        }
        // eight levels are fine
        RawGguf r = RawGguf.header(0, 1).str("deep").u32(GgufValueType.ARRAY.id());
        for (int i = 0; i < 7; i++) r.u32(GgufValueType.ARRAY.id()).u64(1);
        r.u32(GgufValueType.UINT8.id()).u64(1).u8(7);
        openAndTouch(r.toBytes());
    }

    @Test
    void rejectsDuplicateKeysAndTensors() throws Exception {
        assertRejected(RawGguf.header(0, 2).kvU32("k", 1).kvU32("k", 2).toBytes())
                .hasMessageContaining("duplicate metadata key 'k'");
        assertRejected(RawGguf.header(2, 0).tensor("t", F32, 0, 8).tensor("t", F32, 32, 8).pad(32).zeros(64).toBytes())
                .hasMessageContaining("duplicate tensor name 't'");
    }

    // ---- alignment ------------------------------------------------------------------------------------------------

    @Test
    void rejectsBadAlignment() throws Exception {
        for (long a : new long[] {0, 3, 48, 1L << 31, 0xFFFF_FFFFL}) {
            assertRejected(RawGguf.header(0, 1).kvU32("general.alignment", a).toBytes())
                    .hasMessageContaining("general.alignment must be a power of two");
        }
        assertRejected(RawGguf.header(0, 1).kvString("general.alignment", "32").toBytes())
                .hasMessageContaining("general.alignment");
        // a float is not an alignment, even one that truncates to a power of two
        assertRejected(RawGguf.header(0, 1).str("general.alignment").u32(GgufValueType.FLOAT32.id())
                .u32(Float.floatToIntBits(32.5f)).toBytes()).hasMessageContaining("general.alignment");
    }

    @Test
    void honoursAValidCustomAlignment() throws Exception {
        byte[] b = RawGguf.header(1, 1).kvU32("general.alignment", 64).tensor("t", F32, 64, 8).pad(64)
                .zeros(64 + 32).toBytes();
        try (GgufFile f = GgufFile.open(write(b))) {
            assertThat(f.alignment()).isEqualTo(64);
            assertThat(f.dataStart() % 64).isZero();
            assertThat(f.tensor("t").offset()).isEqualTo(64);
        }
    }

    // ---- tensor infos ---------------------------------------------------------------------------------------------

    /** A file with one tensor info and 256 bytes of data section. */
    private static byte[] oneTensor(int typeId, long offset, long... dims) {
        return RawGguf.header(1, 0).tensor("w", typeId, offset, dims).pad(32).zeros(256).toBytes();
    }

    @Test
    void acceptsTheOneTensorBaseline() throws Exception {
        openAndTouch(oneTensor(F32, 0, 8, 2));
        openAndTouch(oneTensor(Q8_0, 32, 32, 2));
    }

    @Test
    void rejectsUnknownGgmlTypes() throws Exception {
        for (int id : new int[] {4, 5, 31, 39, 63, 64, 1000, -1}) {
            assertRejected(oneTensor(id, 0, 8)).hasMessageContaining("tensor 'w' has unknown ggml type id "
                    + Integer.toUnsignedString(id));
        }
    }

    @Test
    void rejectsBadDimCounts() throws Exception {
        assertRejected(oneTensor(F32, 0)).hasMessageContaining("tensor 'w' has 0 dims (1..4 allowed)");
        assertRejected(oneTensor(F32, 0, 1, 1, 1, 1, 1)).hasMessageContaining("tensor 'w' has 5 dims (1..4 allowed)");
        assertRejected(RawGguf.header(1, 0).str("w").u32(0xFFFF_FFFFL).zeros(64).toBytes())
                .hasMessageContaining("has 4294967295 dims");
    }

    @Test
    void rejectsNegativeDims() throws Exception {
        assertRejected(oneTensor(F32, 0, -1)).hasMessageContaining("tensor 'w' has a negative");
        assertRejected(oneTensor(F32, 0, 8, Long.MIN_VALUE)).hasMessageContaining("tensor 'w' has a negative");
    }

    @Test
    void rejectsElementCountAndByteSizeOverflow() throws Exception {
        assertRejected(oneTensor(F32, 0, 1L << 32, 1L << 32)).hasMessageContaining("tensor 'w' element count overflows");
        assertRejected(oneTensor(F32, 0, 1L << 20, 1L << 20, 1L << 20, 1L << 20))
                .hasMessageContaining("element count overflows");
        // 2^62 values fit a long, their F32 bytes do not
        assertRejected(oneTensor(F32, 0, 1L << 31, 1L << 31)).hasMessageContaining("tensor 'w' byte size overflows");
        // representable but far past the end of the file
        assertRejected(oneTensor(F32, 0, 1L << 30, 1L << 30)).hasMessageContaining("outside the data section");
    }

    @Test
    void rejectsRowsThatAreNotWholeBlocks() throws Exception {
        assertRejected(oneTensor(Q8_0, 0, 16, 2))
                .hasMessageContaining("tensor 'w' row length 16 is not a multiple of the Q8_0 block size 32");
        assertRejected(oneTensor(GgmlType.Q4_K.id(), 0, 128))
                .hasMessageContaining("row length 128 is not a multiple of the Q4_K block size 256");
    }

    @Test
    void rejectsMisalignedOrNegativeOffsets() throws Exception {
        assertRejected(oneTensor(F32, 4, 8)).hasMessageContaining("tensor 'w' data offset 4 is not a multiple of the "
                + "alignment 32");
        assertRejected(oneTensor(F32, 1L << 63, 8)).hasMessageContaining("data offset 9223372036854775808");
    }

    @Test
    void rejectsTensorDataPastTheEnd() throws Exception {
        // 256 bytes of data: [224, +64) and [256, +4) stick out, [0, +256) fits exactly
        openAndTouch(oneTensor(F32, 0, 64));
        assertRejected(oneTensor(F32, 224, 16)).hasMessageContaining("tensor 'w' data [224, +64) lies outside the "
                + "data section of 256 bytes");
        assertRejected(oneTensor(F32, 256, 1)).hasMessageContaining("outside the data section");
        assertRejected(oneTensor(F32, 1L << 62, 1)).hasMessageContaining("outside the data section");
        // no data section at all: the header ends mid-padding
        assertRejected(RawGguf.header(1, 0).tensor("w", F32, 0, 8).toBytes()).hasMessageContaining("outside the data");
    }

    // ---- fuzz -----------------------------------------------------------------------------------------------------

    @Test
    void survivesRandomCorruption() throws Exception {
        byte[] valid = smallValidFile();
        int headerEnd;
        try (GgufFile f = GgufFile.open(write(valid))) {
            headerEnd = (int) f.dataStart();
        }
        Random rnd = new Random(20240611L);
        int opened = 0;
        int rejected = 0;
        for (int iter = 0; iter < 4000; iter++) {
            byte[] b = valid.clone();
            int flips = 1 + rnd.nextInt(4);
            for (int k = 0; k < flips; k++) {
                // mostly the header, where corruption changes the parse
                int pos = rnd.nextInt(10) < 9 ? rnd.nextInt(headerEnd) : rnd.nextInt(b.length);
                switch (rnd.nextInt(5)) {
                    case 0 -> b[pos] ^= (byte) (1 << rnd.nextInt(8));
                    case 1 -> b[pos] = (byte) rnd.nextInt(256);
                    case 2 -> b[pos] = (byte) 0xFF;
                    case 3 -> b[pos] = 0;
                    default -> {
                        // a boundary value over a whole 8-byte count, length or offset field
                        long v = INTERESTING[rnd.nextInt(INTERESTING.length)];
                        for (int i = 0; i < 8 && pos + i < b.length; i++) b[pos + i] = (byte) (v >>> (8 * i));
                    }
                }
            }
            try {
                openAndTouch(b);
                opened++;
            } catch (GgufFormatException e) {
                assertThat(e.getMessage()).isNotBlank();
                rejected++;
            } catch (Throwable t) {
                throw new AssertionError("iteration " + iter + ": " + t, t);
            }
        }
        // both outcomes must occur, or the corruption is not reaching the parser
        assertThat(opened).isPositive();
        assertThat(rejected).isPositive();
    }
}
