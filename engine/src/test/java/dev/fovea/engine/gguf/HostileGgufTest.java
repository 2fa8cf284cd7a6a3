package dev.fovea.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

import dev.fovea.engine.Progress;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.GenerationConfig;
import dev.fovea.engine.pipeline.Generator;
import dev.fovea.engine.pipeline.LanguageModel;
import dev.fovea.engine.pipeline.TokenListener;
import dev.fovea.engine.pipeline.VisionModel;
import dev.fovea.engine.synth.MmprojPreset;
import dev.fovea.engine.synth.MmprojSynthesizer;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.testing.Conformance;
import dev.fovea.testsupport.NeedsConformance;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Valid model files with one header field made hostile (sizes, counts, types, vocabularies, templates, tensor
 * shapes), opened and used as the services and the CLI use them. Each must either work or fail with one clear
 * error naming the file, fast and within bounded memory; never an arithmetic, array or memory error.
 */
@NeedsConformance
class HostileGgufTest {
    private static final long TEN_SECONDS = TimeUnit.SECONDS.toNanos(10);
    private static Parallel pool;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        pool = Parallel.create(2);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    private record Edit(String name, Consumer<Map<String, GgufValue>> metadata, Map<String, long[]> shapes,
                        List<String> dropped) {
        Edit(String name, Consumer<Map<String, GgufValue>> metadata, Map<String, long[]> shapes) {
            this(name, metadata, shapes, List.of());
        }

        static Edit meta(String name, Consumer<Map<String, GgufValue>> metadata) {
            return new Edit(name, metadata, Map.of());
        }
    }

    private static GgufValue u32(long v) {
        return new GgufValue(GgufValueType.UINT32, null, v);
    }

    private static GgufValue i32(int v) {
        return new GgufValue(GgufValueType.INT32, null, v);
    }

    private static GgufValue str(String s) {
        return new GgufValue(GgufValueType.STRING, null, s);
    }

    /**
     * The source file rewritten with its metadata and tensor shapes edited and the dropped tensors left out (the
     * other tensors' bytes copied unchanged).
     */
    private static Path rewrite(Path source, Edit edit) throws IOException {
        Path out = dir.resolve(edit.name() + "-" + source.getFileName());
        try (GgufFile f = GgufFile.open(source); GgufWriter w = GgufWriter.create(out)) {
            Map<String, GgufValue> meta = new java.util.LinkedHashMap<>(f.metadata());
            edit.metadata().accept(meta);
            meta.forEach(w::put);
            List<GgufTensorInfo> kept = f.tensors().stream().filter(t -> !edit.dropped().contains(t.name())).toList();
            for (GgufTensorInfo t : kept) {
                long[] shape = edit.shapes().getOrDefault(t.name(), t.shape());
                w.addTensor(t.name(), t.type(), shape);
            }
            w.writeHeader();
            for (GgufTensorInfo t : kept) {
                MemorySegment data = f.data(t);
                w.writeTensorData(data);
            }
        }
        return out;
    }

    /** Runs {@code use}; a failure must be an expected kind naming the file, and all of it must be quick. */
    private static void assertWorksOrNamesTheFile(Path file, UseModel use) {
        long start = System.nanoTime();
        try {
            use.run(file);
        } catch (IOException | IllegalArgumentException e) {
            assertThat(e.getMessage()).as(file.getFileName() + ": " + e).contains(file.getFileName().toString())
                    .doesNotContain("Exception");
        } catch (Throwable t) {
            fail(file.getFileName() + " failed with " + t, t);
        }
        assertThat(System.nanoTime() - start).as(file.getFileName().toString()).isLessThan(TEN_SECONDS);
    }

    private interface UseModel {
        void run(Path file) throws Exception;
    }

    private static void generateOneToken(Path file) throws Exception {
        try (LanguageModel lm = LanguageModel.open(file, pool, Progress.NONE)) {
            int[] ids = lm.tokenizer().encode("Hello", true, true);
            new Generator(lm).generate(List.of(Segment.tokens(ids)), GenerationConfig.greedy(1), TokenListener.NONE);
            lm.chatTemplate().render(List.of(dev.fovea.engine.template.ChatMessage.text("user", "hi")), true);
        } catch (dev.fovea.engine.template.TemplateException e) {
            throw new IOException(file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    @Test
    void anLlmWithAHostileHeaderFieldWorksOrFailsNamingTheFile() throws Exception {
        Path source = Conformance.file("models/llama-spm-f32.gguf");
        List<Edit> edits = List.of(
                Edit.meta("ctx0", m -> m.put("llama.context_length", u32(0))),
                Edit.meta("ctxneg", m -> m.put("llama.context_length", i32(-1))),
                Edit.meta("ctxhuge", m -> m.put("llama.context_length", u32(Integer.MAX_VALUE))),
                Edit.meta("ctxu32", m -> m.put("llama.context_length", u32(0xFFFF_FFFFL))),
                Edit.meta("blocks", m -> m.put("llama.block_count", u32(1_000_000))),
                Edit.meta("blocks0", m -> m.put("llama.block_count", u32(0))),
                Edit.meta("embd", m -> m.put("llama.embedding_length", u32(7))),
                Edit.meta("embdhuge", m -> m.put("llama.embedding_length", u32(Integer.MAX_VALUE))),
                Edit.meta("heads0", m -> m.put("llama.attention.head_count", u32(0))),
                Edit.meta("kvheads", m -> m.put("llama.attention.head_count_kv", u32(3))),
                Edit.meta("keylen", m -> m.put("llama.attention.key_length", u32(1_000_000))),
                Edit.meta("ffn", m -> m.put("llama.feed_forward_length", i32(-1))),
                Edit.meta("rope", m -> m.put("llama.rope.dimension_count", u32(1))),
                Edit.meta("ropehuge", m -> m.put("llama.rope.dimension_count", u32(Integer.MAX_VALUE))),
                Edit.meta("arch", m -> m.put("general.architecture", str("gpt5"))),
                Edit.meta("archtype", m -> m.put("general.architecture", u32(3))),
                Edit.meta("tokmodel", m -> m.put("tokenizer.ggml.model", str("nonsense"))),
                Edit.meta("notokens", m -> m.put("tokenizer.ggml.tokens",
                        new GgufValue(GgufValueType.ARRAY, GgufValueType.STRING, new String[0]))),
                Edit.meta("noscores", m -> m.remove("tokenizer.ggml.scores")),
                Edit.meta("shortscores", m -> m.put("tokenizer.ggml.scores",
                        new GgufValue(GgufValueType.ARRAY, GgufValueType.FLOAT32, new float[3]))),
                Edit.meta("bos", m -> m.put("tokenizer.ggml.bos_token_id", u32(99_999_999))),
                Edit.meta("eosneg", m -> m.put("tokenizer.ggml.eos_token_id", i32(-7))),
                Edit.meta("template", m -> m.put("tokenizer.chat_template", str("{% for %}"))),
                Edit.meta("templateloop", m -> m.put("tokenizer.chat_template", str(
                        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"))),
                new Edit("embdshape", m -> { }, Map.of("token_embd.weight", swapped(source, "token_embd.weight"))));
        for (Edit e : edits) {
            assertWorksOrNamesTheFile(rewrite(source, e), HostileGgufTest::generateOneToken);
        }
    }

    @Test
    void anMmprojWithAHostileHeaderFieldWorksOrFailsNamingTheFile() throws Exception {
        Path source = Conformance.file("models/mmproj-mlp-f32.gguf");
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(32, 24, BufferedImage.TYPE_INT_RGB), "png", png);
        List<Edit> edits = List.of(
                Edit.meta("size0", m -> m.put("clip.vision.image_size", u32(0))),
                Edit.meta("sizehuge", m -> m.put("clip.vision.image_size", u32(1 << 20))),
                Edit.meta("sizeneg", m -> m.put("clip.vision.image_size", i32(-336))),
                Edit.meta("patch0", m -> m.put("clip.vision.patch_size", u32(0))),
                Edit.meta("patchhuge", m -> m.put("clip.vision.patch_size", u32(1 << 30))),
                Edit.meta("blocks", m -> m.put("clip.vision.block_count", u32(1_000_000))),
                // sized by nothing before the blocks are found: 2^31 − 1 blocks must not be allocated
                Edit.meta("blockshuge", m -> m.put("clip.vision.block_count", u32(Integer.MAX_VALUE))),
                Edit.meta("heads0", m -> m.put("clip.vision.attention.head_count", u32(0))),
                Edit.meta("embd", m -> m.put("clip.vision.embedding_length", u32(7))),
                Edit.meta("mean", m -> m.put("clip.vision.image_mean",
                        new GgufValue(GgufValueType.ARRAY, GgufValueType.FLOAT32, new float[1]))),
                Edit.meta("pinpoints", m -> m.put("clip.vision.image_grid_pinpoints",
                        new GgufValue(GgufValueType.ARRAY, GgufValueType.INT32, new int[] {1 << 30, 1 << 30}))),
                Edit.meta("pinpoints0", m -> m.put("clip.vision.image_grid_pinpoints",
                        new GgufValue(GgufValueType.ARRAY, GgufValueType.INT32, new int[] {0, 336}))));
        for (Edit e : edits) {
            assertWorksOrNamesTheFile(rewrite(source, e), file -> {
                try (VisionModel vm = VisionModel.open(file, pool, 50_000_000L)) {
                    vm.embed(png.toByteArray());
                }
            });
        }
    }

    @Test
    void aQwen2VlPairWithAHostileHeaderFieldWorksOrFailsNamingTheFile() throws Exception {
        Path mmproj = Conformance.file("qwen2vl/models/mmproj-qwen2vl-64.gguf");
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(100, 62, BufferedImage.TYPE_INT_RGB), "png", png);
        List<Edit> tower = List.of(
                Edit.meta("patch0", m -> m.put("clip.vision.patch_size", u32(0))),
                Edit.meta("patchhuge", m -> m.put("clip.vision.patch_size", u32(1 << 30))),
                Edit.meta("blocks", m -> m.put("clip.vision.block_count", u32(1_000_000))),
                Edit.meta("heads", m -> m.put("clip.vision.attention.head_count", u32(3))),
                Edit.meta("embd", m -> m.put("clip.vision.embedding_length", u32(1 << 30))),
                Edit.meta("std", m -> m.put("clip.vision.image_std",
                        new GgufValue(GgufValueType.ARRAY, GgufValueType.FLOAT32, new float[2]))));
        for (Edit e : tower) {
            assertWorksOrNamesTheFile(rewrite(mmproj, e), file -> {
                try (VisionModel vm = VisionModel.open(file, pool, 50_000_000L)) {
                    vm.embed(png.toByteArray());
                }
            });
        }
        Path llm = Conformance.file("qwen2vl/models/qwen2vl-gpt2-64.gguf");
        List<Edit> decoder = List.of(
                Edit.meta("nosections", m -> m.remove("qwen2vl.rope.dimension_sections")),
                Edit.meta("sections0", m -> m.put("qwen2vl.rope.dimension_sections",
                        new GgufValue(GgufValueType.ARRAY, GgufValueType.INT32, new int[4]))),
                Edit.meta("sectionsneg", m -> m.put("qwen2vl.rope.dimension_sections",
                        new GgufValue(GgufValueType.ARRAY, GgufValueType.INT32, new int[] {1, -2, 5, 0}))),
                Edit.meta("sections3", m -> m.put("qwen2vl.rope.dimension_sections",
                        new GgufValue(GgufValueType.ARRAY, GgufValueType.INT32, new int[] {1, 2, 5}))));
        for (Edit e : decoder) {
            assertWorksOrNamesTheFile(rewrite(llm, e), HostileGgufTest::generateOneToken);
        }
    }

    /**
     * A MiniCPM-V mmproj (a synthesized tiny-minicpmv, Q8_0 to keep the copies small) with an absurd or refused
     * {@code clip.minicpmv_version}, or without one of the resampler's tensors: opening it is a
     * {@link GgufFormatException} naming the file and what is wrong; an unedited copy works.
     */
    @Test
    void aMiniCpmvMmprojWithABadVersionOrMissingResamplerTensorsIsRefusedByName() throws Exception {
        Path source = dir.resolve("minicpmv-source.gguf");
        MmprojSynthesizer.write(new MmprojSynthesizer.Spec(MmprojPreset.named("tiny-minicpmv"), "resampler",
                GgmlType.Q8_0, 3, false, 0), source, pool, Progress.NONE);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "png", png);
        try (VisionModel vm = VisionModel.open(source, pool, 50_000_000L)) {
            assertThat(vm.embedForPrompt(png.toByteArray()).inputs()).hasSize(1);
        }
        Map<Edit, String> refused = new java.util.LinkedHashMap<>();
        refused.put(Edit.meta("version99", m -> m.put("clip.minicpmv_version", i32(99))), "clip.minicpmv_version");
        refused.put(Edit.meta("versionneg", m -> m.put("clip.minicpmv_version", i32(-2))), "clip.minicpmv_version");
        refused.put(Edit.meta("versionhuge", m -> m.put("clip.minicpmv_version", i32(Integer.MAX_VALUE))),
                "clip.minicpmv_version");
        refused.put(Edit.meta("versionstr", m -> m.put("clip.minicpmv_version", str("2.6"))), "clip.minicpmv_version");
        refused.put(new Edit("noquery", m -> { }, Map.of(), List.of("resampler.query")), "resampler.query");
        refused.put(new Edit("nokv", m -> { }, Map.of(), List.of("resampler.kv.weight")), "resampler.kv.weight");
        refused.put(new Edit("noproj", m -> { }, Map.of(), List.of("resampler.proj.weight")), "resampler.proj.weight");
        refused.put(new Edit("noattnq", m -> { }, Map.of(), List.of("resampler.attn.q.weight")),
                "resampler.attn.q.weight");
        refused.put(new Edit("nolnq", m -> { }, Map.of(), List.of("resampler.ln_q.weight")), "resampler.ln_q.weight");
        for (Map.Entry<Edit, String> e : refused.entrySet()) {
            Path file = rewrite(source, e.getKey());
            Throwable thrown = catchThrowable(() -> {
                try (VisionModel vm = VisionModel.open(file, pool, 50_000_000L)) {
                    vm.embedForPrompt(png.toByteArray());
                }
            });
            assertThat(thrown).as(e.getKey().name()).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining(file.getFileName().toString()).hasMessageContaining(e.getValue());
            Files.delete(file);
        }
    }

    /** The tensor's shape with its two dims swapped (same bytes, wrong layout). */
    private static long[] swapped(Path source, String tensor) throws IOException {
        try (GgufFile f = GgufFile.open(source)) {
            long[] s = f.tensor(tensor).shape().clone();
            long t = s[0];
            s[0] = s[1];
            s[1] = t;
            return s;
        }
    }

    @Test
    void everyTruncationOfAModelNamesTheFile() throws Exception {
        byte[] whole = Files.readAllBytes(Conformance.file("models/mmproj-mlp-f32.gguf"));
        for (int cut = 0; cut < 4096; cut += 7) {
            Path part = dir.resolve("cut" + cut + ".gguf");
            Files.write(part, java.util.Arrays.copyOf(whole, cut));
            assertWorksOrNamesTheFile(part, file -> GgufFile.open(file).close());
        }
    }
}
