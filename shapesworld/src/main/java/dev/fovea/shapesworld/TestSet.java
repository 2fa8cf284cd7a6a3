package dev.fovea.shapesworld;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import javax.imageio.ImageIO;

/** A test set on disk: a folder with {@code questions.jsonl} and the images (PNG) its lines name. */
public final class TestSet {
    private final Path dir;
    private final List<TestQuestion> questions;

    private TestSet(Path dir, List<TestQuestion> questions) {
        this.dir = dir;
        this.questions = List.copyOf(questions);
    }

    /**
     * Generates {@code n} questions balanced over the six evaluated categories into {@code dir} (created if
     * missing; it must not hold a test set already). The pictures come from the test stream of {@code seed},
     * never from the training stream of any seed's {@link ShapesWorld#ShapesWorld(long) world}.
     */
    public static TestSet generate(int n, long seed, Path dir) throws IOException {
        if (n < 1) {
            throw new IllegalArgumentException("a test set needs at least one question, got " + n);
        }
        Files.createDirectories(dir);
        if (Files.exists(dir.resolve(QuestionsFile.NAME))) {
            throw new IOException(dir + " already holds a test set (" + QuestionsFile.NAME + ")");
        }
        List<TestQuestion> questions = TestSetGenerator.generate(n, seed, dir);
        QuestionsFile.write(dir, questions);
        return new TestSet(dir, questions);
    }

    /** Reads any folder in this format, with whatever categories its lines name. */
    public static TestSet read(Path dir) throws IOException {
        return new TestSet(dir, QuestionsFile.read(dir));
    }

    public Path dir() {
        return dir;
    }

    public List<TestQuestion> questions() {
        return questions;
    }

    /** Every category the questions name, sorted. */
    public SortedSet<String> categories() {
        SortedSet<String> out = new TreeSet<>();
        questions.forEach(q -> out.add(q.category()));
        return out;
    }

    /** The image file a question is about. */
    public Path imageFile(TestQuestion q) {
        return dir.resolve(q.image());
    }

    /** The question's image, as {@code TYPE_INT_RGB}. */
    public BufferedImage image(TestQuestion q) throws IOException {
        Path file = imageFile(q);
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString());
        }
        BufferedImage read = ImageIO.read(file.toFile());
        if (read == null) {
            throw new IOException(file + " is not an image ImageIO can read");
        }
        if (read.getType() == BufferedImage.TYPE_INT_RGB) {
            return read;
        }
        BufferedImage rgb = new BufferedImage(read.getWidth(), read.getHeight(), BufferedImage.TYPE_INT_RGB);
        var g = rgb.createGraphics();
        try {
            g.drawImage(read, 0, 0, null);
        } finally {
            g.dispose();
        }
        return rgb;
    }
}
