package dev.fovea.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufValueType;
import dev.fovea.engine.gguf.GgufWriter;
import dev.fovea.engine.testing.Conformance;
import dev.fovea.testsupport.NeedsConformance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@NeedsConformance
class TokenizerDecodeTest {
    private static final String TEXT = "Größe 42: naïve café — 東京 🚀 x=3.14\n\ttabs  and  spaces";

    private static Tokenizer open(String vocab) throws Exception {
        try (GgufFile f = GgufFile.open(Conformance.file("tokenizer/" + vocab))) {
            return Tokenizer.fromGguf(f);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ggml-vocab-gpt-2.gguf", "ggml-vocab-llama-spm.gguf", "ggml-vocab-phi-3.gguf"})
    void encodeThenDecodeGivesTheTextBack(String vocab) throws Exception {
        Tokenizer tok = open(vocab);
        int[] ids = tok.encode(TEXT, false, false);
        String decoded = tok.decode(ids);
        // SentencePiece adds one leading space (its prefix); the rest is exact
        assertThat(decoded).isEqualTo(tok.addBos() ? " " + TEXT : TEXT);
        // streaming the same tokens one by one never splits a character and gives the same text
        Utf8StreamDecoder stream = new Utf8StreamDecoder();
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            String piece = stream.feed(tok.tokenBytes(id));
            assertThat(piece).doesNotContain("\uFFFD");
            sb.append(piece);
        }
        sb.append(stream.flush());
        assertThat(sb.toString()).isEqualTo(decoded);
    }

    @Test
    void byteFallbackTokensCarryRawBytesAndControlTokensNoText() throws Exception {
        Tokenizer spm = open("ggml-vocab-llama-spm.gguf");
        int rocket0 = spm.tokenId("<0xF0>");
        assertThat(spm.tokenBytes(rocket0)).containsExactly(0xF0);
        assertThat(spm.tokenBytes(spm.bosId())).isEmpty();
        assertThat(spm.isEndOfGeneration(spm.eosId())).isTrue();
        assertThat(spm.isEndOfGeneration(spm.tokenId("▁the"))).isFalse();
        assertThat(spm.encode("Hi", true, false)).startsWith(1);
        // control tokens in the text are literal text unless parseSpecial
        assertThat(spm.encode("</s>", false, true)).containsExactly(2);
        assertThat(spm.encode("</s>", false, false)).doesNotContain(2);
        Tokenizer phi3 = open("ggml-vocab-phi-3.gguf");
        assertThat(phi3.isEndOfGeneration(phi3.tokenId("<|end|>"))).isTrue();
    }

    @Test
    void utf8StreamHoldsBackIncompleteSequences() {
        Utf8StreamDecoder d = new Utf8StreamDecoder();
        byte[] rocket = "🚀".getBytes(StandardCharsets.UTF_8);
        assertThat(d.feed(new byte[] {rocket[0], rocket[1]})).isEmpty();
        assertThat(d.feed(new byte[] {rocket[2]})).isEmpty();
        assertThat(d.feed(new byte[] {rocket[3], 'a'})).isEqualTo("🚀a");
        assertThat(d.feed(new byte[] {(byte) 0xE6})).isEmpty();
        assertThat(d.flush()).isEqualTo("\uFFFD");
        assertThat(d.feed(new byte[] {(byte) 0xFF, 'b'})).isEqualTo("\uFFFDb");
    }

    @Test
    void inconsistentMetadataIsAClearError(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("bad.gguf");
        try (GgufWriter w = GgufWriter.create(p)) {
            w.putString("tokenizer.ggml.model", "llama");
            w.putArray("tokenizer.ggml.tokens", GgufValueType.STRING, new String[] {"a", "b", "c"});
            w.putArray("tokenizer.ggml.scores", GgufValueType.FLOAT32, new float[] {0f, 1f});
            w.writeHeader();
        }
        try (GgufFile f = GgufFile.open(p)) {
            assertThatThrownBy(() -> Tokenizer.fromGguf(f)).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("scores has 2 entries for 3 tokens");
        }
        Path q = dir.resolve("unknown.gguf");
        try (GgufWriter w = GgufWriter.create(q)) {
            w.putString("tokenizer.ggml.model", "rwkv");
            w.putArray("tokenizer.ggml.tokens", GgufValueType.STRING, new String[] {"a"});
            w.writeHeader();
        }
        try (GgufFile f = GgufFile.open(q)) {
            assertThatThrownBy(() -> Tokenizer.fromGguf(f)).hasMessageContaining("'rwkv' is not supported");
        }
    }
}
