package dev.fovea.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs the CLI in-process with its output captured, for the tests of its error messages. */
final class CliRun {
    private CliRun() {
    }

    record Run(int exitCode, String out, String err, long nanos) {
    }

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        long start = System.nanoTime();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            CommandLine cl = FoveaCommand.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Run(code, buf.toString(StandardCharsets.UTF_8), err.toString(), System.nanoTime() - start);
        } finally {
            System.setOut(oldOut);
        }
    }

    /** Exit code 2 and one line on stderr that says {@code expected}, no Java internals. */
    static void assertClearError(Run r, String... expected) {
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        String err = r.err().strip();
        assertThat(err).as("one line").doesNotContain("\n").startsWith("fovea: ");
        for (String e : expected) {
            assertThat(err).contains(e);
        }
        assertThat(err).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("java.");
    }
}
