package dev.fovea.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.testing.Conformance;
import dev.fovea.testsupport.NeedsConformance;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterTest {
    @TempDir
    Path dir;

    /** One value of every scalar type at its edges, and arrays of every element type including nested ones. */
    static Map<String, GgufValue> everyValueType() {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("u8", scalar(GgufValueType.UINT8, 255));
        m.put("i8", scalar(GgufValueType.INT8, -128));
        m.put("u16", scalar(GgufValueType.UINT16, 65535));
        m.put("i16", scalar(GgufValueType.INT16, -32768));
        m.put("u32", scalar(GgufValueType.UINT32, 0xFFFF_FFFFL));
        m.put("i32", scalar(GgufValueType.INT32, Integer.MIN_VALUE));
        m.put("u64", scalar(GgufValueType.UINT64, -1L)); // 2^64 - 1
        m.put("i64", scalar(GgufValueType.INT64, Long.MIN_VALUE));
        m.put("f32", scalar(GgufValueType.FLOAT32, -1.5e-7f));
        m.put("f64", scalar(GgufValueType.FLOAT64, Math.PI));
        m.put("bool.true", scalar(GgufValueType.BOOL, true));
        m.put("bool.false", scalar(GgufValueType.BOOL, false));
        m.put("str", scalar(GgufValueType.STRING, "héllo ▁wörld 🙂\n\u0000end"));
        m.put("str.empty", scalar(GgufValueType.STRING, ""));
        m.put("a.u8", array(GgufValueType.UINT8, new byte[] {0, 1, (byte) 255}));
        m.put("a.i8", array(GgufValueType.INT8, new byte[] {-128, 127}));
        m.put("a.u16", array(GgufValueType.UINT16, new short[] {(short) 65535, 7}));
        m.put("a.i16", array(GgufValueType.INT16, new short[] {-1, 300}));
        m.put("a.u32", array(GgufValueType.UINT32, new int[] {-1, 42}));
        m.put("a.i32", array(GgufValueType.INT32, new int[] {2, 3, 6, 6, -5}));
        m.put("a.u64", array(GgufValueType.UINT64, new long[] {Long.MIN_VALUE, 1}));
        m.put("a.i64", array(GgufValueType.INT64, new long[] {-2, Long.MAX_VALUE}));
        m.put("a.f32", array(GgufValueType.FLOAT32, new float[] {0.48145467f, Float.NEGATIVE_INFINITY, -0f}));
        m.put("a.f64", array(GgufValueType.FLOAT64, new double[] {1e300, -0.0}));
        m.put("a.bool", array(GgufValueType.BOOL, new boolean[] {true, false, true}));
        m.put("a.str", array(GgufValueType.STRING, new String[] {"<unk>", "", "Ġ t", "日本"}));
        m.put("a.empty", array(GgufValueType.FLOAT32, new float[0]));
        m.put("a.nested", array(GgufValueType.ARRAY, new GgufValue[] {
                array(GgufValueType.STRING, new String[] {"a", "b"}),
                array(GgufValueType.INT32, new int[] {1}),
                array(GgufValueType.ARRAY, new GgufValue[] {array(GgufValueType.UINT8, new byte[] {9})}),
                array(GgufValueType.BOOL, new boolean[0])}));
        return m;
    }

    static GgufValue scalar(GgufValueType type, Object value) {
        return new GgufValue(type, null, value);
    }

    static GgufValue array(GgufValueType elementType, Object values) {
        return new GgufValue(GgufValueType.ARRAY, elementType, values);
    }

    /** Deep equality of two values (records compare arrays by identity, so this walks them). */
    static void assertSameValue(String key, GgufValue actual, GgufValue expected) {
        assertThat(actual.type()).as(key + " type").isEqualTo(expected.type());
        assertThat(actual.elementType()).as(key + " element type").isEqualTo(expected.elementType());
        if (expected.value() instanceof GgufValue[] e) {
            GgufValue[] a = (GgufValue[]) actual.value();
            assertThat(a).as(key + " length").hasSize(e.length);
            for (int i = 0; i < e.length; i++) {
                assertSameValue(key + "[" + i + "]", a[i], e[i]);
            }
        } else if (expected.value().getClass().isArray()) {
            assertThat(Arrays.deepEquals(new Object[] {actual.value()}, new Object[] {expected.value()}))
                    .as(key + " array value").isTrue();
        } else {
            assertThat(actual.value()).as(key + " value").isEqualTo(expected.value());
        }
    }

    @Test
    void roundTripsMetadataOfEveryValueType() throws Exception {
        Map<String, GgufValue> meta = everyValueType();
        Path p = dir.resolve("meta.gguf");
        try (GgufWriter w = GgufWriter.create(p)) {
            meta.forEach(w::put);
        }
        try (GgufFile f = GgufFile.open(p)) {
            assertThat(f.version()).isEqualTo(3);
            assertThat(f.metadata().keySet()).containsExactlyElementsOf(meta.keySet());
            meta.forEach((k, v) -> assertSameValue(k, f.metadata().get(k), v));
            assertThat(f.tensors()).isEmpty();
        }
    }

    @Test
    void typedPuttersWriteTheMatchingTypes() throws Exception {
        Path p = dir.resolve("typed.gguf");
        try (GgufWriter w = GgufWriter.create(p)) {
            w.putString("s", "x").putBool("b", true).putUint8("u8", 200).putInt8("i8", -3).putUint16("u16", 60000)
                    .putInt16("i16", -300).putUint32("u32", 4_000_000_000L).putInt32("i32", -7)
                    .putUint64("u64", 1L << 40).putInt64("i64", -(1L << 40)).putFloat32("f32", 1e-5f)
                    .putFloat64("f64", 0.25).putArray("arr", GgufValueType.STRING, new String[] {"q"});
        }
        try (GgufFile f = GgufFile.open(p)) {
            assertThat(f.metadata().values()).extracting(GgufValue::type).containsExactly(
                    GgufValueType.STRING, GgufValueType.BOOL, GgufValueType.UINT8, GgufValueType.INT8,
                    GgufValueType.UINT16, GgufValueType.INT16, GgufValueType.UINT32, GgufValueType.INT32,
                    GgufValueType.UINT64, GgufValueType.INT64, GgufValueType.FLOAT32, GgufValueType.FLOAT64,
                    GgufValueType.ARRAY);
            assertThat(f.getInt("u8", 0)).isEqualTo(200);
            assertThat(f.getLong("u32", 0)).isEqualTo(4_000_000_000L);
            assertThat(f.getInt("i16", 0)).isEqualTo(-300);
            assertThat(f.getFloat("f32", 0)).isEqualTo(1e-5f);
            assertThat(f.getStringArray("arr")).containsExactly("q");
        }
    }

    @Test
    void roundTripsTensorsWithAlignmentAndPadding() throws Exception {
        for (int alignment : new int[] {32, 1, 64, 4096}) {
            Random rnd = new Random(alignment);
            List<TestTensor> ts = List.of(
                    tensor(rnd, "a.f32", GgmlType.F32, 3, 5),           // 60 bytes: needs padding
                    tensor(rnd, "b.f16", GgmlType.F16, 7),               // 14 bytes
                    tensor(rnd, "c.q8_0", GgmlType.Q8_0, 64, 3, 2),      // 3-D
                    tensor(rnd, "d.q4_0", GgmlType.Q4_0, 32, 1, 1, 2),   // 4-D
                    tensor(rnd, "e.q4_k", GgmlType.Q4_K, 256, 2),
                    tensor(rnd, "f.q6_k", GgmlType.Q6_K, 512));
            Path p = dir.resolve("t" + alignment + ".gguf");
            try (GgufWriter w = GgufWriter.create(p)) {
                w.putString("general.architecture", "test");
                if (alignment != 32) {
                    w.putUint32(GgufKeys.ALIGNMENT, alignment);
                }
                for (var t : ts) {
                    w.addTensor(t.name, t.type, t.shape);
                }
                for (var t : ts) {
                    assertThat(w.nextTensorName()).isEqualTo(t.name);
                    w.writeTensorData(t.data);
                }
                assertThat(w.nextTensorName()).isNull();
            }
            try (GgufFile f = GgufFile.open(p)) {
                assertThat(f.alignment()).isEqualTo(alignment);
                assertThat(f.dataStart() % alignment).isZero();
                assertThat(f.tensors()).extracting(GgufTensorInfo::name)
                        .containsExactly("a.f32", "b.f16", "c.q8_0", "d.q4_0", "e.q4_k", "f.q6_k");
                long expectedOffset = 0;
                for (var t : ts) {
                    GgufTensorInfo info = f.tensor(t.name);
                    assertThat(info.shape()).containsExactly(t.shape);
                    assertThat(info.type()).isEqualTo(t.type);
                    assertThat(info.offset()).as(t.name + " offset").isEqualTo(expectedOffset);
                    assertThat(f.data(info).toArray(ValueLayout.JAVA_BYTE)).as(t.name + " data").isEqualTo(t.data);
                    expectedOffset += (t.data.length + alignment - 1) / alignment * alignment;
                }
                // like ggml's writer: the last tensor is padded too, so the file ends on the alignment
                assertThat(Files.size(p)).isEqualTo(f.dataStart() + expectedOffset);
            }
        }
    }

    @Test
    void chunkedWritesEqualOneWrite() throws Exception {
        Random rnd = new Random(7);
        TestTensor a = tensor(rnd, "a", GgmlType.Q8_0, 32, 10);
        TestTensor b = tensor(rnd, "b", GgmlType.F32, 9);
        Path whole = dir.resolve("whole.gguf");
        Path chunked = dir.resolve("chunked.gguf");
        try (GgufWriter w = GgufWriter.create(whole)) {
            w.addTensor(a.name, a.type, a.shape).addTensor(b.name, b.type, b.shape);
            w.writeTensorData(a.data);
            w.writeTensorData(b.data);
        }
        try (GgufWriter w = GgufWriter.create(chunked)) {
            w.addTensor(a.name, a.type, a.shape).addTensor(b.name, b.type, b.shape);
            w.writeTensorData(a.data, 0, 1);
            w.writeTensorData(ByteBuffer.wrap(a.data, 1, 100));
            w.writeTensorData(java.lang.foreign.MemorySegment.ofArray(Arrays.copyOfRange(a.data, 101, a.data.length)));
            for (int i = 0; i < b.data.length; i += 5) {
                w.writeTensorData(b.data, i, Math.min(5, b.data.length - i));
            }
        }
        assertThat(Files.readAllBytes(chunked)).isEqualTo(Files.readAllBytes(whole));
    }

    /** Copying a llama.cpp-written file through the writer must reproduce it byte for byte. */
    @NeedsConformance
    @Test
    void rewritesLlamaCppFilesByteForByte() throws Exception {
        for (String name : List.of("models/mmproj-mlp-f32.gguf", "models/llama-spm-q8_0.gguf",
                "tokenizer/ggml-vocab-gpt-2.gguf")) {
            Path src = Conformance.file(name);
            Path copy = dir.resolve("copy.gguf");
            try (GgufFile f = GgufFile.open(src); GgufWriter w = GgufWriter.create(copy)) {
                f.metadata().forEach(w::put);
                for (GgufTensorInfo t : f.tensors()) {
                    w.addTensor(t.name(), t.type(), t.shape());
                }
                for (GgufTensorInfo t : f.tensors()) {
                    w.writeTensorData(f.data(t));
                }
            }
            assertThat(Files.mismatch(src, copy)).as(name).isEqualTo(-1L);
        }
    }

    @Test
    void rejectsMisuseWithClearMessages() throws Exception {
        Path p = dir.resolve("misuse.gguf");
        try (GgufWriter w = GgufWriter.create(p)) {
            w.putString("k", "v");
            assertThatThrownBy(() -> w.putString("k", "again")).hasMessageContaining("duplicate metadata key 'k'");
            assertThatThrownBy(() -> w.putUint8("u8", 256)).hasMessageContaining("out of range for UINT8");
            assertThatThrownBy(() -> w.putUint32("u32", -1)).hasMessageContaining("out of range for UINT32");
            assertThatThrownBy(() -> w.put("f", scalar(GgufValueType.FLOAT32, 1.0)))
                    .hasMessageContaining("needs a Float");
            assertThatThrownBy(() -> w.putArray("a", GgufValueType.STRING, new int[1]))
                    .hasMessageContaining("needs a String[]");
            assertThatThrownBy(() -> w.putArray("n", GgufValueType.ARRAY, new GgufValue[] {scalar(GgufValueType.INT8, 1)}))
                    .hasMessageContaining("must be ARRAY values");
            assertThatThrownBy(() -> w.putUint32(GgufKeys.ALIGNMENT, 3)).hasMessageContaining("power of two");
            assertThatThrownBy(() -> w.putUint32(GgufKeys.ALIGNMENT, 0)).hasMessageContaining("power of two");
            assertThatThrownBy(() -> w.putInt32(GgufKeys.ALIGNMENT, 32)).hasMessageContaining("UINT32");
            assertThatThrownBy(() -> w.addTensor("x", GgmlType.Q8_0, 16, 2))
                    .hasMessageContaining("row length 16 is not a multiple of the Q8_0 block size 32");
            assertThatThrownBy(() -> w.addTensor("x", GgmlType.F32)).hasMessageContaining("0 dims");
            assertThatThrownBy(() -> w.addTensor("x", GgmlType.F32, 1, 1, 1, 1, 1)).hasMessageContaining("5 dims");
            assertThatThrownBy(() -> w.addTensor("x", GgmlType.F32, 4, 0)).hasMessageContaining("non-positive dim 0");
            w.addTensor("x", GgmlType.F32, 4);
            assertThatThrownBy(() -> w.addTensor("x", GgmlType.F32, 4)).hasMessageContaining("duplicate tensor name 'x'");
            w.addTensor("y", GgmlType.F32, 2);
            assertThatThrownBy(() -> w.writeTensorData(new byte[17]))
                    .hasMessageContaining("tensor 'x' takes 16 bytes; 0 written and 17 more given");
            w.writeTensorData(new byte[16]);
            assertThatThrownBy(() -> w.putString("late", "v")).hasMessageContaining("already writing tensor data");
            assertThatThrownBy(() -> w.addTensor("z", GgmlType.F32, 4)).hasMessageContaining("already writing");
            w.writeTensorData(new byte[3]);
            assertThatThrownBy(w::close).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("tensor 'y' got 3 of 8 bytes");
        }
    }

    record TestTensor(String name, GgmlType type, long[] shape, byte[] data) {
    }

    static TestTensor tensor(Random rnd, String name, GgmlType type, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        byte[] data = new byte[(int) type.byteSize(n)];
        rnd.nextBytes(data);
        return new TestTensor(name, type, shape, data);
    }
}
