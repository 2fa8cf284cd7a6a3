package dev.fovea.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.",
        subcommands = {BenchLlmCommand.class, BenchVlmCommand.class, BenchBatchCommand.class, BenchEncoderCommand.class,
                BenchJobsCommand.class, BenchFleetCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
