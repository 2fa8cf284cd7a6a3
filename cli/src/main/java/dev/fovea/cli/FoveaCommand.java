package dev.fovea.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code fovea} command; each verb is its own subcommand class. */
@Command(name = "fovea", mixinStandardHelpOptions = true, version = "fovea 0.1.0",
        description = "Serve and run multimodal LLMs from GGUF files.",
        subcommands = {TokenizeCommand.class, LogitsCommand.class, GenerateCommand.class, ChatCommand.class, EmbedImageCommand.class, SynthCommand.class, QuantizeCommand.class, UpCommand.class, DownCommand.class, StatusCommand.class, BenchCommand.class,
                EvalCommand.class, BatchCommand.class,
                CommandLine.HelpCommand.class})
public final class FoveaCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with Fovea's error handling: bad input is one clear line on stderr, exit code 2. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new FoveaCommand());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            ConsoleProgress.endLine();
            commandLine.getErr().println("fovea: " + describe(ex));
            if (Boolean.getBoolean("fovea.debug")) {
                ex.printStackTrace(commandLine.getErr());
            }
            return 2;
        });
        return cl;
    }

    private static String describe(Throwable ex) {
        String msg = ex.getMessage();
        if (ex instanceof java.nio.file.NoSuchFileException) {
            return "no such file: " + msg;
        }
        if (ex instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: " + msg;
        }
        if (ex instanceof OutOfMemoryError) {
            return "out of memory (raise the heap with JAVA_OPTS=-Xmx..., or use a smaller model or input)";
        }
        return msg == null ? ex.toString() : msg;
    }
}
