package dev.fovea.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCompareCommandTest {
    @TempDir
    Path dir;

    private Path answers(String name, boolean... correct) throws Exception {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < correct.length; i++) {
            s.append(Json.write(java.util.Map.of("id", "q-" + i, "category", i % 2 == 0 ? "perception" : "counting",
                    "question", "q", "answer", "red", "predicted", correct[i] ? "red" : "blue", "correct", correct[i])))
                    .append('\n');
        }
        Path f = dir.resolve(name + ".jsonl");
        Files.writeString(f, s);
        return f;
    }

    @Test
    void tablesAndChartsTheRunsPerCategory() throws Exception {
        Path a = answers("a", true, true, false, false);
        Path b = answers("b", true, false, true, true);
        Path png = dir.resolve("ablation.png");
        CliRun.Run r = CliRun.run("eval", "compare", "a=" + a, "b=" + b, "--chart", png.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("| category | n | a | b |", "| perception | 2 | 50.0 % | 100.0 % |",
                "| counting | 2 | 50.0 % | 50.0 % |", "| overall | 4 | 50.0 % | 75.0 % |",
                "| same answers as a | 4 | 4 | 1 |");
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isGreaterThanOrEqualTo(560);
    }

    @Test
    void runsOnOtherQuestionsAreRefused() throws Exception {
        Path a = answers("a", true, true, false);
        Path b = answers("b", true, true);
        CliRun.assertClearError(CliRun.run("eval", "compare", "a=" + a, "b=" + b), "different questions");
        CliRun.assertClearError(CliRun.run("eval", "compare", "a"), "NAME=ANSWERS.jsonl");
    }
}
