package dev.fovea.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write random-weight GGUF models at real models' shapes (for sizing and benchmarks).",
        subcommands = {SynthLlmCommand.class, SynthMmprojCommand.class})
final class SynthCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
