package dev.fovea.gateway;

import dev.fovea.engine.Progress;
import dev.fovea.engine.adapter.FusionConfig;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.synth.LlmPreset;
import dev.fovea.engine.synth.LlmSynthesizer;
import dev.fovea.engine.synth.MmprojPreset;
import dev.fovea.engine.synth.MmprojSynthesizer;
import dev.fovea.engine.synth.SyntheticAdapters;
import dev.fovea.engine.synth.VocabSubset;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The distributed pipeline as separate processes on loopback: two encoder services (the conformance CLIP mmproj
 * and a synthesized SigLIP-style tower), one adapter service (the conformance MLP projector, and a fusion adapter
 * over both encoders), one LLM service (the conformance LLaVA-style model); and Qwen2-VL's three (the
 * {@code qwen2vl/} conformance pair); and MiniCPM-V 2.6's encoder and LLM (a synthesized tiny pair; its resampler in
 * the shared adapter service). The gateway under test is pointed at
 * them by a generated pipeline file.
 */
public class VisionStackProcesses implements QuarkusTestResourceLifecycleManager {
    static final String LLAVA = "llava-conformance";
    static final String SPHINX = "sphinx-conformance";
    static final String LLAVA_NEXT = "llava-next-tiny";
    static final String QWEN2VL = "qwen2vl-conformance";
    static final String MINICPMV = "minicpmv-tiny";

    private final List<ServiceProcess> services = new ArrayList<>();

    static Path conformance(String relative) {
        return Path.of(System.getProperty("fovea.shared.dir"), "conformance", relative).toAbsolutePath().normalize();
    }

    static Path target(String name) {
        return Path.of("target").toAbsolutePath().resolve(name);
    }

    /** The synthesized second tower and the fusion adapter over (clip 64-wide, siglip 96-wide) → the LLM's 64. */
    static void synthesizeSecondEncoderAndFusion() throws IOException {
        Files.createDirectories(target(""));
        MmprojSynthesizer.write(new MmprojSynthesizer.Spec(MmprojPreset.named("tiny-siglip"), "mlp", GgmlType.F32, 11,
                false, 64), target("siglip-tiny.gguf"), Parallel.shared(), Progress.NONE);
        MmprojSynthesizer.write(new MmprojSynthesizer.Spec(MmprojPreset.named("tiny"), "mlp", GgmlType.F32, 13,
                true, 64), target("clip-anyres-tiny.gguf"), Parallel.shared(), Progress.NONE);
        SyntheticAdapters.writeFusion(target("fusion-clip-siglip.gguf"),
                new FusionConfig(List.of(64, 96), 4, 4, 64, 1e-5f, -1), null, GgmlType.F32, 12);
        synthesizeMiniCpmv();
    }

    /**
     * A MiniCPM-V 2.6 pair: the {@code tiny-minicpmv} tower + resampler (F16 here, half the F32 reference's 330 MB)
     * and the 3584-wide {@code tiny-minicpmv} LLM over a 1024-token cut of GPT-2's vocabulary with MiniCPM-V's
     * control tokens.
     */
    static void synthesizeMiniCpmv() throws IOException {
        MmprojSynthesizer.write(new MmprojSynthesizer.Spec(MmprojPreset.named("tiny-minicpmv"), "resampler",
                GgmlType.F16, 1, false, 0), target("minicpmv-mmproj.gguf"), Parallel.shared(), Progress.NONE);
        try (GgufFile vocab = GgufFile.open(conformance("tokenizer/ggml-vocab-gpt-2.gguf"))) {
            LlmSynthesizer.write(new LlmSynthesizer.Spec(LlmPreset.named("tiny-minicpmv", "qwen2"), GgmlType.F16, 1),
                    new VocabSubset(1024, List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<image>", "</image>",
                            "<slice>", "</slice>"), "qwen2").tokenizer(vocab), target("minicpmv-llm.gguf"),
                    Parallel.shared(), Progress.NONE);
        }
    }

    @Override
    public Map<String, String> start() {
        try {
            synthesizeSecondEncoderAndFusion();
            String mmproj = conformance("models/mmproj-mlp-f32.gguf").toString();
            ServiceProcess clip = start("encoder-clip", "encoder-service", Map.of("fovea.encoder.mmproj", mmproj,
                    "fovea.encoder.name", "clip"));
            ServiceProcess siglip = start("encoder-siglip", "encoder-service", Map.of("fovea.encoder.mmproj",
                    target("siglip-tiny.gguf").toString(), "fovea.encoder.name", "siglip"));
            ServiceProcess anyres = start("encoder-anyres", "encoder-service", Map.of("fovea.encoder.mmproj",
                    target("clip-anyres-tiny.gguf").toString(), "fovea.encoder.name", "clip-anyres"));
            ServiceProcess adapter = start("adapter", "adapter-service", Map.of("fovea.adapter.files.llava-mlp", mmproj,
                    "fovea.adapter.files.clip-siglip-fusion", target("fusion-clip-siglip.gguf").toString(),
                    "fovea.adapter.files.anyres-mlp", target("clip-anyres-tiny.gguf").toString(),
                    "fovea.adapter.files.minicpmv-resampler", target("minicpmv-mmproj.gguf").toString()));
            ServiceProcess llm = start("llm", "llm-service", Map.of("fovea.llm.model",
                    conformance("models/llama-spm-f32.gguf").toString()));
            String qwenMmproj = conformance("qwen2vl/models/mmproj-qwen2vl-64.gguf").toString();
            ServiceProcess qwenEncoder = start("encoder-qwen2vl", "encoder-service", Map.of("fovea.encoder.mmproj",
                    qwenMmproj, "fovea.encoder.name", "qwen2vl"));
            ServiceProcess qwenAdapter = start("adapter-qwen2vl", "adapter-service",
                    Map.of("fovea.adapter.files.qwen2vl-merger", qwenMmproj));
            ServiceProcess qwenLlm = start("llm-qwen2vl", "llm-service", Map.of("fovea.llm.model",
                    conformance("qwen2vl/models/qwen2vl-gpt2-64.gguf").toString()));
            ServiceProcess minicpmvEncoder = start("encoder-minicpmv", "encoder-service", Map.of(
                    "fovea.encoder.mmproj", target("minicpmv-mmproj.gguf").toString(), "fovea.encoder.name", "minicpmv"));
            ServiceProcess minicpmvLlm = start("llm-minicpmv", "llm-service", Map.of("fovea.llm.model",
                    target("minicpmv-llm.gguf").toString()));
            Path pipelines = target("vision-pipelines.yaml");
            Files.writeString(pipelines, """
                    pipelines:
                      - model: %1$s
                        llm: %3$s
                        encoders:
                          - name: clip
                            replicas: [%4$s]
                        adapter: {id: llava-mlp, address: %6$s}
                      - model: %2$s
                        llm: %3$s
                        encoders:
                          - name: clip
                            replicas: [%4$s]
                          - name: siglip
                            replicas: [%5$s]
                        adapter: {id: clip-siglip-fusion, address: %6$s}
                        combinations:
                          clip: {encoders: [clip], adapter: llava-mlp}
                      - model: %7$s
                        llm: %3$s
                        tiling: anyres
                        encoders:
                          - name: clip-anyres
                            replicas: [%8$s]
                        adapter: {id: anyres-mlp, address: %6$s}
                      - model: %9$s
                        llm: %10$s
                        encoders:
                          - name: qwen2vl
                            replicas: [%11$s]
                        adapter: {id: qwen2vl-merger, address: %12$s}
                      - model: %13$s
                        llm: %14$s
                        encoders:
                          - name: minicpmv
                            replicas: [%15$s]
                        adapter: {id: minicpmv-resampler, address: %6$s}
                    """.formatted(LLAVA, SPHINX, llm.address(), clip.address(), siglip.address(), adapter.address(),
                    LLAVA_NEXT, anyres.address(), QWEN2VL, qwenLlm.address(), qwenEncoder.address(),
                    qwenAdapter.address(), MINICPMV, minicpmvLlm.address(), minicpmvEncoder.address()));
            return Map.of("fovea.gateway.pipelines", pipelines.toString(),
                    "fovea.test.encoder-clip-port", Integer.toString(clip.port()),
                    "fovea.test.llm-port", Integer.toString(llm.port()));
        } catch (IOException | RuntimeException e) {
            stop();
            throw new IllegalStateException("cannot start the vision stack: " + e.getMessage(), e);
        }
    }

    private ServiceProcess start(String name, String module, Map<String, String> props) throws IOException {
        ServiceProcess s = ServiceProcess.start(name, module, props);
        services.add(s);
        return s;
    }

    @Override
    public void stop() {
        services.forEach(ServiceProcess::close);
        services.clear();
    }
}
