package dev.fovea.cli;

import dev.fovea.engine.gguf.GgufQuantizer;
import dev.fovea.engine.tensor.GgmlType;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Write a GGUF file (an LLM or an mmproj) with its float weight matrices in another type, as "
                + "llama.cpp's llama-quantize writes a pure mix: 2-D *.weight tensors in F32/F16/BF16 whose rows are "
                + "whole blocks; norms, biases, convolution kernels, position embeddings and quantized tensors are "
                + "copied.")
final class QuantizeCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Input GGUF file.")
    Path input;

    @Parameters(index = "1", description = "Output GGUF file (not the input).")
    Path output;

    @Option(names = "--type", required = true, description = "q8_0, q4_0, q4_k, q6_k, f16, bf16 or f32.")
    String type;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        GgmlType t = SynthLlmCommand.parseType(type, "--type");
        GgufQuantizer.Report r = GgufQuantizer.quantize(input, output, t, new ConsoleProgress(!quiet, "tensors"));
        ConsoleProgress.endLine();
        System.out.printf(Locale.ROOT, "%s: %d tensors in %s, %d copied as they were; %.1f MB → %.1f MB%n", output,
                r.quantized(), t, r.copied(), r.bytesIn() / 1e6, r.bytesOut() / 1e6);
        return 0;
    }
}
