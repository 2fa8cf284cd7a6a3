package dev.fovea.cli;

import dev.fovea.engine.Progress;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.synth.LlmPreset;
import dev.fovea.engine.synth.LlmSynthesizer;
import dev.fovea.engine.synth.MmprojPreset;
import dev.fovea.engine.synth.MmprojSynthesizer;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The generated demo model {@code fovea-demo}: a small random-weight Llama and a CLIP-style tower sized for it,
 * in {@code models/demo/} of the checkout, made on first use. {@code fovea up} serves it without a pipeline file;
 * {@code fovea eval --model fovea-demo} runs it in-process.
 */
final class DemoModel {
    static final String ID = "fovea-demo";

    private DemoModel() {
    }

    /**
     * The demo pipeline, writing its two files first if they are missing ({@code vocab} null: the vocabulary of the
     * ShapesWorld model committed in {@code models/shapesworld}, so nothing outside the checkout is needed).
     */
    static StackFile ensure(Path vocab) throws IOException {
        Path dir = LocalStack.checkout().resolve("models").resolve("demo");
        Files.createDirectories(dir);
        Path llm = dir.resolve("demo-llama-tiny-q8_0.gguf");
        Path mmproj = dir.resolve("demo-mmproj-tiny.gguf");
        LlmPreset preset = LlmPreset.named("tiny", "llama");
        if (!Files.isRegularFile(llm)) {
            Path v = vocab != null ? vocab
                    : LocalStack.checkout().resolve("models/shapesworld/shapesworld-a.gguf");
            try (GgufFile f = GgufFile.open(v)) {
                LlmSynthesizer.write(new LlmSynthesizer.Spec(preset, GgmlType.Q8_0, 1), f, llm, Parallel.shared(),
                        Progress.NONE);
            }
        }
        if (!Files.isRegularFile(mmproj)) {
            MmprojSynthesizer.write(new MmprojSynthesizer.Spec(MmprojPreset.named("tiny"), "mlp", GgmlType.F16, 2,
                    false, preset.embd()), mmproj, Parallel.shared(), Progress.NONE);
        }
        return new StackFile(ID, llm.toString(), List.of(new StackFile.Encoder("clip", mmproj.toString())),
                new StackFile.Adapter("demo-mlp", mmproj.toString()), "none");
    }
}
