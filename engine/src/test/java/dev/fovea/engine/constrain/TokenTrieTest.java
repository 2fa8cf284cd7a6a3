package dev.fovea.engine.constrain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.testing.Conformance;
import dev.fovea.engine.tokenizer.Tokenizer;
import dev.fovea.testsupport.NeedsConformance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The table path for free strings allows exactly the tokens the whole-trie walk allows, at every byte of texts
 * that pass through strings (ASCII, multi-byte characters, escapes), objects, arrays and numbers.
 */
class TokenTrieTest {
    private static final String SCHEMA = """
            {"type":"object","properties":{"name":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}},
             "n":{"type":"integer"},"short":{"type":"string","maxLength":3}},"required":["name","tags","n","short"]}""";
    private static final String TEXT = "{\"name\": \"Zoë \\\"Ø\\u00e9\\n ✓ 😀 ok\", \"tags\": [\"a\", \"Straße\"], \"n\": -12,"
            + " \"short\": \"ab\"}";

    @Test
    void theShapesWorldVocabularyAgrees() throws Exception {
        try (GgufFile f = GgufFile.open(Path.of("..", "models", "shapesworld", "shapesworld-a.gguf"))) {
            assertAgree(Tokenizer.fromGguf(f));
        }
    }

    @Test
    @NeedsConformance
    void aThirtyTwoThousandTokenAndAByteLevelVocabularyAgree() throws Exception {
        for (String vocab : new String[] {"ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf"}) {
            try (GgufFile f = GgufFile.open(Conformance.file("tokenizer/" + vocab))) {
                assertAgree(Tokenizer.fromGguf(f));
            }
        }
    }

    private static void assertAgree(Tokenizer tokenizer) {
        TokenTrie trie = TokenTrie.of(tokenizer);
        JsonMatcher m = JsonMatcher.start(JsonSchemaCompiler.compile(SCHEMA));
        byte[] bytes = TEXT.getBytes(StandardCharsets.UTF_8);
        int inString = 0;
        for (int i = 0; i <= bytes.length; i++) {
            boolean[] fast = new boolean[trie.vocabSize()];
            boolean[] walked = new boolean[trie.vocabSize()];
            trie.allowed(m, fast);
            trie.allowedByWalk(m, walked);
            assertThat(Arrays.equals(fast, walked)).as("after %d bytes of %s", i, TEXT).isTrue();
            if (m.freeStringUtf8State() >= 0) {
                inString++;
            }
            if (i < bytes.length) {
                m = m.advance(bytes[i] & 0xFF);
                assertThat(m).isNotNull();
            }
        }
        assertThat(inString).as("positions that took the table path").isGreaterThan(20);
    }
}
