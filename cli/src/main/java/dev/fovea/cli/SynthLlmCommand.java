package dev.fovea.cli;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.gguf.GgufValue;
import dev.fovea.engine.synth.LlmPreset;
import dev.fovea.engine.synth.LlmSynthesizer;
import dev.fovea.engine.synth.VocabSubset;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Quantizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "llm", mixinStandardHelpOptions = true,
        description = "A random-weight llama/qwen2/phi3/phi2 GGUF at a preset's shapes, tokenizer copied from a vocab GGUF.")
final class SynthLlmCommand implements Callable<Integer> {
    @Option(names = "--arch", description = "llama, qwen2, phi3 or phi2 (checked against the preset).")
    String arch;

    @Option(names = "--preset", required = true,
            description = "tinyllama-1.1b, qwen2-0.5b, llama-7b, tiny, tiny-llama3, phi3-mini, tiny-phi3, phi-2, tiny-phi2, "
                    + "tiny-qwen2, tiny-minicpmv (MiniCPM-V 2.6's LLM width, 3584; with a small --vocab-size) (a phi3 "
                    + "preset wants the Phi-3 vocabulary, e.g. ggml-vocab-phi-3.gguf).")
    String preset;

    @Option(names = "--qtype", defaultValue = "q8_0",
            description = "Type of the 2-D weights: f32, f16, bf16, q8_0, q4_0, q4_k, q6_k (default: ${DEFAULT-VALUE}).")
    String qtype;

    @Option(names = "--vocab", required = true, description = "GGUF to copy the tokenizer from (e.g. a vocab-only GGUF).")
    Path vocab;

    @Option(names = "--vocab-size", defaultValue = "0",
            description = "Keep only the first N tokens of a byte-level BPE --vocab (GPT-2's layout: the 256 byte symbols, "
                    + "then one token per merge) and the merges among them; 0 = the whole vocabulary.")
    int vocabSize;

    @Option(names = "--control", split = ",",
            description = "With --vocab-size: control tokens to append, in order (the first is BOS/EOS), e.g. "
                    + "'<|endoftext|>,<|im_start|>,<|im_end|>,<image>,</image>,<slice>,</slice>' for MiniCPM-V 2.6.")
    List<String> controls = new ArrayList<>();

    @Option(names = "--pre", defaultValue = "qwen2",
            description = "With --vocab-size: the pre-tokenizer (tokenizer.ggml.pre) (default: ${DEFAULT-VALUE}).")
    String pre;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--out"}, required = true, description = "Output GGUF file.")
    Path out;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        LlmPreset p = LlmPreset.named(preset, arch);
        GgmlType type = parseType(qtype, "--qtype");
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (vocabSize == 0 && !controls.isEmpty()) {
            throw new IllegalArgumentException("--control needs --vocab-size");
        }
        try (GgufFile v = GgufFile.open(vocab)) {
            Map<String, GgufValue> tokenizer = vocabSize > 0
                    ? new VocabSubset(vocabSize, controls, pre).tokenizer(v) : null;
            int nVocab = tokenizer != null ? ((String[]) tokenizer.get(GgufKeys.TOKENS).value()).length
                    : v.getStringArray(GgufKeys.TOKENS).length;
            long params = p.parameterCount(nVocab);
            System.err.printf("synth %s (%s, %d layers, n_embd %d, vocab %d): %.2f B parameters as %s%n",
                    p.name(), p.arch(), p.blockCount(), p.embd(), nVocab, params / 1e9, type);
            LlmSynthesizer.Spec spec = new LlmSynthesizer.Spec(p, type, seed);
            if (tokenizer != null) {
                LlmSynthesizer.write(spec, tokenizer, out, engine.pool(), engine.progress());
            } else {
                LlmSynthesizer.write(spec, v, out, engine.pool(), engine.progress());
            }
        }
        System.out.println(out);
        return 0;
    }

    /** The type named by option {@code option} (any case), or an error naming the option and the value. */
    static GgmlType parseType(String name, String option) {
        try {
            return Quantizer.writableType(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }
}
