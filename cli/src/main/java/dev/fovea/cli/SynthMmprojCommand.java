package dev.fovea.cli;

import dev.fovea.engine.synth.MmprojPreset;
import dev.fovea.engine.synth.MmprojSynthesizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "mmproj", mixinStandardHelpOptions = true,
        description = "A random-weight mmproj GGUF (vision tower + projector) at a preset's shapes.")
final class SynthMmprojCommand implements Callable<Integer> {
    @Option(names = "--preset", required = true, description = "clip-vit-l-336, siglip-so400m-384, tiny, tiny-siglip, tiny-minicpmv.")
    String preset;

    @Option(names = "--projector", defaultValue = "mlp",
            description = "mlp, linear, mlp_norm (LLaVA-1.6 34B style; written as mlp with mm.1, mm.3, mm.4), ldp or ldpv2 "
                    + "(MobileVLM V1, V2; llama.cpp wants a 24 × 24 patch grid for them, e.g. --preset tiny-336), "
                    + "resampler (MiniCPM-V 2.6's layout, --preset tiny-minicpmv; 2.5's with --llm-embd 4096) "
                    + "(default: ${DEFAULT-VALUE}).")
    String projector;

    @Option(names = "--qtype", defaultValue = "f16", description = "Type of the matrices: f32, f16, bf16, q8_0 (default: ${DEFAULT-VALUE}).")
    String qtype;

    @Option(names = "--anyres", description = "Add LLaVA-1.6 AnyRes pinpoints and the newline embedding (high-res tiles).")
    boolean anyRes;

    @Option(names = "--llm-embd", defaultValue = "0", description = "Projector output width (the LLM's n_embd); 0 = the preset's.")
    int llmEmbd;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--out"}, required = true, description = "Output GGUF file.")
    Path out;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        MmprojPreset p = MmprojPreset.named(preset);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        System.err.printf("synth mmproj %s (%d px, patch %d, %d blocks of width %d) + %s projector → %d%n", p.name(),
                p.imageSize(), p.patchSize(), p.blocks(), p.embd(), projector, llmEmbd > 0 ? llmEmbd : p.llmEmbd());
        MmprojSynthesizer.write(new MmprojSynthesizer.Spec(p, projector, SynthLlmCommand.parseType(qtype, "--qtype"), seed, anyRes, llmEmbd), out,
                engine.pool(), engine.progress());
        System.out.println(out);
        return 0;
    }
}
