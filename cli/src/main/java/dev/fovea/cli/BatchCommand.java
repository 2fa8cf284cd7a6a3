package dev.fovea.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fovea batch}: OpenAI-style batches (a JSONL of chat requests) through a running gateway's Kafka queue. */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = "Run a JSONL file of chat requests as an OpenAI batch on a running gateway.",
        subcommands = {BatchSubmitCommand.class, BatchStatusCommand.class, BatchCancelCommand.class})
final class BatchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
