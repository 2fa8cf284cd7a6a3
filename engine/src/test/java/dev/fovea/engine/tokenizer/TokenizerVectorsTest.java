package dev.fovea.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.testing.Conformance;
import dev.fovea.testsupport.NeedsConformance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** llama.cpp's tokenizer test vectors: each text of a {@code .inp} against its line of ids in the {@code .out}. */
@NeedsConformance
class TokenizerVectorsTest {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    static Stream<String> vocabs() throws Exception {
        try (Stream<Path> files = Files.list(Conformance.dir().resolve("tokenizer"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".gguf")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("vocabs")
    void everyVectorMatches(String vocab) throws Exception {
        Path dir = Conformance.dir().resolve("tokenizer");
        String inp = Files.readString(dir.resolve(vocab + ".inp"), StandardCharsets.UTF_8);
        List<String> texts = new ArrayList<>(Arrays.asList(inp.split(SEPARATOR, -1)));
        if (texts.getLast().isEmpty()) {
            texts.removeLast(); // the file ends with a separator
        }
        List<String> lines = Files.readAllLines(dir.resolve(vocab + ".out"), StandardCharsets.UTF_8);
        assertThat(lines).as("one line of ids per text").hasSameSizeAs(texts);
        try (GgufFile f = GgufFile.open(dir.resolve(vocab))) {
            Tokenizer tok = Tokenizer.fromGguf(f);
            int passed = 0;
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                String line = lines.get(i).trim();
                int[] expected = line.isEmpty() ? new int[0]
                        : Arrays.stream(line.split("\\s+")).mapToInt(Integer::parseInt).toArray();
                int[] actual = tok.encode(texts.get(i), false, false);
                if (Arrays.equals(expected, actual)) {
                    passed++;
                } else {
                    failures.add("text " + i + " " + escape(texts.get(i)) + ": expected " + Arrays.toString(expected)
                            + " got " + Arrays.toString(actual));
                }
            }
            System.out.printf("%s: %d/%d vectors equal%n", vocab, passed, texts.size());
            assertThat(failures).isEmpty();
        }
    }

    private static String escape(String s) {
        return '"' + s.replace("\n", "\\n").replace("\t", "\\t") + '"';
    }
}
