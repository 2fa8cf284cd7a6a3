package dev.fovea.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fovea chat} driven through its standard input, on the committed ShapesWorld model. */
class ChatCommandTest {
    private static final Path MODELS = Path.of("..", "models", "shapesworld");

    @Test
    void aScriptedConversationStreamsAnswersKeepsHistoryAndTakesImages(@TempDir Path dir) throws Exception {
        ShapesWorldModel.Sample sample = ShapesWorldModel.sample();
        Path picture = dir.resolve("scene.png");
        ImageIO.write(sample.picture().image(), "png", picture.toFile());
        String script = "/image " + picture + "\n" + sample.question().question() + "\nHow many objects are there?\n"
                + "/image " + dir.resolve("missing.png") + "\n/reset\n/help\n/quit\n";
        InputStream oldIn = System.in;
        CliRun.Run r;
        try {
            System.setIn(new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)));
            r = CliRun.run("chat", "-m", MODELS.resolve("shapesworld-a.gguf").toString(), "--mmproj",
                    MODELS.resolve("shapesworld-a-mmproj.gguf").toString(), "--temp", "0", "-n", "16", "--quiet");
        } finally {
            System.setIn(oldIn);
        }
        assertThat(r.exitCode()).as(r.err()).isZero();
        String[] turns = r.out().split("> ");
        // banner, /image, question, question, /image missing, /reset, /help, /quit
        assertThat(turns).hasSize(8);
        assertThat(turns[1]).contains("scene.png goes with your next message");
        assertThat(turns[2].strip()).as("an answer to the question").isNotEmpty();
        assertThat(turns[3].strip()).as("a count: the ShapesWorld model answers in digits").matches("\\d+");
        assertThat(turns[4]).contains("no file").contains("missing.png");
        assertThat(turns[5]).contains("conversation forgotten");
        assertThat(turns[6]).contains("/image PATH");
    }

    @Test
    void anImageWithoutMmprojIsRefusedBeforeLoading() {
        CliRun.Run r = CliRun.run("chat", "-m", MODELS.resolve("shapesworld-a.gguf").toString(), "--image", "x.png");
        CliRun.assertClearError(r, "--image needs --mmproj");
    }
}
