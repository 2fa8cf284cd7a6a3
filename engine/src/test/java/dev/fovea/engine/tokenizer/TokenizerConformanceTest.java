package dev.fovea.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.testing.Conformance;
import dev.fovea.testsupport.NeedsConformance;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every conformance case's prompt (with BOS, special tokens parsed) and vlm suffix (no BOS) tokenize as llama.cpp did. */
@NeedsConformance
class TokenizerConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> cases() throws Exception {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : JSON.readTree(Conformance.file("cases.json").toFile()).get("cases")) {
            out.add(Arguments.of(c.get("expected").asText(), c));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void promptAndSuffixTokens(String name, JsonNode c) throws Exception {
        JsonNode expected = JSON.readTree(Conformance.file(c.get("expected").asText() + ".json").toFile());
        try (GgufFile f = GgufFile.open(Conformance.file(c.get("model").asText()))) {
            Tokenizer tok = Tokenizer.fromGguf(f);
            assertThat(tok.encode(c.get("prompt").asText(), true, true)).containsExactly(ints(expected.get("prompt_tokens")));
            if (c.has("suffix")) {
                assertThat(tok.encode(c.get("suffix").asText(), false, true)).containsExactly(ints(expected.get("suffix_tokens")));
            }
        }
    }

    private static int[] ints(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asInt();
        }
        return v;
    }
}
