package dev.fovea.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Arguments that cannot make a model are refused before anything trains (not at the first checkpoint). */
class TrainCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String err) {
    }

    private Run train(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new TrainCommand()).setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, err.toString());
    }

    @Test
    void aMatrixTypeTheModelIsNotWrittenInIsRefusedAtOnce() {
        Path out = dir.resolve("out");
        Run q4k = train("shapesworld", "--type", "q4_k", "-o", out.toString());
        assertThat(q4k.exit()).isEqualTo(2);
        assertThat(q4k.err()).contains("--type").contains("f32, f16 or q8_0");
        Run unknown = train("shapesworld", "--type", "q9_x", "-o", out.toString());
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("'q9_x' is not a type Fovea writes");
        assertThat(Files.exists(out)).as("nothing started").isFalse();
    }

    @Test
    void stageLengthsBelowTheirMinimumAreRefused() {
        Run r = train("shapesworld", "--steps", "0", "-o", dir.resolve("out").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--steps must be at least 1");
        Run lr = train("shapesworld", "--learning-rate", "0", "-o", dir.resolve("out").toString());
        assertThat(lr.exit()).isEqualTo(2);
        assertThat(lr.err()).contains("--learning-rate must be above 0");
    }
}
