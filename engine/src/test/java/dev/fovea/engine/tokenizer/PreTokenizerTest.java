package dev.fovea.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.gguf.GgufFormatException;
import org.junit.jupiter.api.Test;

/** The regex splits of the supported {@code tokenizer.ggml.pre} values, on inputs whose splits are well known. */
class PreTokenizerTest {

    @Test
    void gpt2SplitsContractionsLettersDigitsAndKeepsTheLastSpaceWithTheWord() throws Exception {
        PreTokenizer p = PreTokenizer.named("gpt-2");
        assertThat(p.split("I'm  12345 héllo!! \n")).containsExactly("I", "'m", " ", " 12345", " héllo", "!!", " \n");
        // contractions are case-sensitive in GPT-2's pattern
        assertThat(p.split("I'M")).containsExactly("I", "'", "M");
        assertThat(p.ignoreMerges()).isFalse();
    }

    @Test
    void llama3GroupsDigitsByThreeAndContractionsIgnoreCase() throws Exception {
        PreTokenizer p = PreTokenizer.named("llama-bpe");
        assertThat(p.split("I'M 1234567 ok")).containsExactly("I", "'M", " ", "123", "456", "7", " ok");
        // a non-letter, non-digit character other than a newline sticks to the following letters
        assertThat(p.split("(hello)\n\nworld")).containsExactly("(hello", ")\n\n", "world");
        assertThat(p.ignoreMerges()).isTrue();
    }

    @Test
    void qwen2SplitsEveryDigit() throws Exception {
        PreTokenizer p = PreTokenizer.named("qwen2");
        assertThat(p.split("x=3.14")).containsExactly("x", "=", "3", ".", "1", "4");
        assertThat(p.split("a  b")).containsExactly("a", " ", " b");
    }

    @Test
    void smollmSplitsDigitsBeforeTheGpt2Pattern() throws Exception {
        assertThat(PreTokenizer.named("smollm").split("ab 123")).containsExactly("ab", " ", "1", "2", "3");
    }

    @Test
    void defaultSplitsPunctuationRunsFirst() throws Exception {
        assertThat(PreTokenizer.named("default").split("hi, 1234")).containsExactly("hi", ",", " ", "123", "4");
    }

    @Test
    void unicodeWhitespaceCountsAsSpace() throws Exception {
        // U+3000 (ideographic space) is White_Space: it is not glued to the next word like a symbol would be
        assertThat(PreTokenizer.named("gpt-2").split("a\u3000\u3000b")).containsExactly("a", "\u3000", "\u3000", "b");
    }

    @Test
    void piecesAlwaysConcatenateToTheInput() throws Exception {
        String text = "Hello, World! 🚀 naïve 東京 \t\r\n  x=3.14 'Re' ``` ----";
        for (String name : new String[] {"default", "gpt-2", "llama-bpe", "qwen2", "smollm"}) {
            assertThat(String.join("", PreTokenizer.named(name).split(text))).as(name).isEqualTo(text);
        }
    }

    @Test
    void unknownNameIsAClearError() {
        assertThatThrownBy(() -> PreTokenizer.named("made-up")).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("'made-up' is not supported").hasMessageContaining("qwen2");
    }
}
