package dev.fovea.shapesworld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestSetTest {

    @Test
    void aGeneratedSetIsBalancedAndReadsBackTheSame(@TempDir Path dir) throws IOException {
        TestSet made = TestSet.generate(62, 5, dir.resolve("set"));
        assertThat(made.questions()).hasSize(62);
        Map<String, Long> perCategory = made.questions().stream()
                .collect(Collectors.groupingBy(TestQuestion::category, Collectors.counting()));
        assertThat(perCategory).containsOnlyKeys(Categories.EVALUATED);
        assertThat(perCategory.values()).allMatch(c -> c == 10 || c == 11);
        Map<String, Long> perImage = made.questions().stream()
                .collect(Collectors.groupingBy(TestQuestion::image, Collectors.counting()));
        assertThat(perImage.values()).allMatch(c -> c <= 3);
        assertThat(made.questions().stream().map(TestQuestion::id).distinct()).hasSize(62);

        TestSet read = TestSet.read(dir.resolve("set"));
        assertThat(read.questions()).isEqualTo(made.questions());
        assertThat(read.categories()).containsExactly("counting", "grounding", "math", "perception", "small", "spatial");
        for (TestQuestion q : read.questions()) {
            BufferedImage img = read.image(q);
            assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
            if (q.category().equals("small")) {
                assertThat(img.getWidth()).isGreaterThanOrEqualTo(1000);
            }
        }
    }

    @Test
    void theSameSeedMakesTheSameSetAndAnotherSeedAnother(@TempDir Path dir) throws IOException {
        List<TestQuestion> a = TestSet.generate(30, 1, dir.resolve("a")).questions();
        List<TestQuestion> b = TestSet.generate(30, 1, dir.resolve("b")).questions();
        List<TestQuestion> c = TestSet.generate(30, 2, dir.resolve("c")).questions();
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
        assertThat(Files.readAllBytes(dir.resolve("a/img-00001.png"))).isEqualTo(Files.readAllBytes(dir.resolve("b/img-00001.png")));
    }

    @Test
    void generatingIntoAFolderThatHoldsASetIsRefused(@TempDir Path dir) throws IOException {
        TestSet.generate(6, 1, dir);
        assertThatThrownBy(() -> TestSet.generate(6, 1, dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("already holds a test set");
    }

    @Test
    void aHandWrittenFolderWithItsOwnCategoriesReads(@TempDir Path dir) throws IOException {
        ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_ARGB), "png", dir.resolve("a.png").toFile());
        Files.createDirectories(dir.resolve("pics"));
        ImageIO.write(new BufferedImage(20, 20, BufferedImage.TYPE_BYTE_GRAY), "png", dir.resolve("pics/b.png").toFile());
        Files.writeString(dir.resolve("questions.jsonl"), """
                {"id": "x1", "image": "a.png", "question": "How many?", "answer": 3, "category": "counting", "note": "extra"}

                {"image": "pics/b.png", "question": "What is it?", "answer": "a square", "category": "ocr"}
                {"id": 7, "image": "a.png", "question": "Any category?", "answer": "yes"}
                """);
        TestSet set = TestSet.read(dir);
        Map<String, TestQuestion> byQuestion = set.questions().stream()
                .collect(Collectors.toMap(TestQuestion::question, Function.identity()));
        assertThat(set.questions()).hasSize(3);
        assertThat(set.categories()).containsExactly("counting", "ocr", "uncategorized");
        assertThat(byQuestion.get("How many?").answer()).isEqualTo("3");
        assertThat(byQuestion.get("What is it?").id()).isEqualTo("line-3");
        assertThat(byQuestion.get("Any category?").id()).isEqualTo("7");
        assertThat(set.image(byQuestion.get("What is it?")).getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
    }

    @Test
    void foldersThatCannotBeTestSetsAreRefusedNamingTheLine(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> TestSet.read(dir)).isInstanceOf(IOException.class).hasMessageContaining("questions.jsonl");
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("a.png").toFile());
        Files.writeString(dir.resolve("questions.jsonl"),
                "{\"image\": \"../a.png\", \"question\": \"q\", \"answer\": \"a\"}\n");
        assertThatThrownBy(() -> TestSet.read(dir)).hasMessageContaining("line 1").hasMessageContaining("outside");
        Files.writeString(dir.resolve("questions.jsonl"),
                "{\"image\": \"a.png\", \"question\": \"q\", \"answer\": \"a\"}\n{\"image\": \"gone.png\", \"question\": \"q\", \"answer\": \"a\"}\n");
        assertThatThrownBy(() -> TestSet.read(dir)).hasMessageContaining("line 2").hasMessageContaining("gone.png");
        Files.writeString(dir.resolve("questions.jsonl"), "{\"image\": \"a.png\", \"answer\": \"a\"}\n");
        assertThatThrownBy(() -> TestSet.read(dir)).hasMessageContaining("no 'question'");
        Files.writeString(dir.resolve("questions.jsonl"), "[1, 2]\n");
        assertThatThrownBy(() -> TestSet.read(dir)).hasMessageContaining("not a JSON object");
        Files.writeString(dir.resolve("questions.jsonl"), "\n\n");
        assertThatThrownBy(() -> TestSet.read(dir)).hasMessageContaining("no questions");
    }
}
