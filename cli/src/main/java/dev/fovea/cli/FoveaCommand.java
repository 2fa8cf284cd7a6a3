package dev.fovea.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code fovea} command; each verb is its own subcommand class. */
@Command(name = "fovea", mixinStandardHelpOptions = true, version = "fovea 0.1.0",
        description = "Serve and run multimodal LLMs from GGUF files.",
        subcommands = {CommandLine.HelpCommand.class})
public final class FoveaCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new FoveaCommand()).execute(args));
    }
}
