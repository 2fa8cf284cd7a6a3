package dev.fovea.gateway.batches;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.gateway.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The batch input file's checks: each mistake a 400 naming its line. */
class BatchInputTest {
    private final ObjectMapper mapper = new ObjectMapper();

    private static final String OK = "{\"custom_id\": \"a\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", "
            + "\"body\": {\"model\": \"m\"}}";

    private List<BatchLine> parse(String jsonl, int max) {
        return BatchInput.parse(jsonl.getBytes(StandardCharsets.UTF_8), max, mapper);
    }

    private ApiException refused(String jsonl, int max) {
        ApiException e = catchThrowableOfType(ApiException.class, () -> parse(jsonl, max));
        assertThat(e).as(jsonl).isNotNull();
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("file");
        return e;
    }

    @Test
    void readsTheLinesWithTheirNumbersSkippingBlankOnes() {
        List<BatchLine> lines = parse(OK + "\r\n\n" + OK.replace("\"a\"", "\"b\"") + "\n", 10);
        assertThat(lines).extracting(BatchLine::line).containsExactly(1, 3);
        assertThat(lines).extracting(BatchLine::customId).containsExactly("a", "b");
        assertThat(lines.get(1).body().path("model").asText()).isEqualTo("m");
    }

    @Test
    void eachMistakeNamesItsLine() {
        String b = OK.replace("\"a\"", "\"b\"");
        assertThat(refused(OK + "\n{\"custom_id\": ", 10).getMessage()).startsWith("line 2 is not valid JSON");
        assertThat(refused(OK + "\n" + b + "\n" + OK, 10).getMessage())
                .isEqualTo("line 3: custom_id 'a' already appears on line 1; each must be unique");
        assertThat(refused(b.replace("/v1/chat/completions", "/v1/embeddings"), 10).getMessage())
                .contains("line 1: url '/v1/embeddings' is not supported");
        assertThat(refused(OK + "\n" + b.replace("POST", "PUT"), 10).getMessage()).contains("line 2: method");
        assertThat(refused(b.replace("\"custom_id\": \"b\"", "\"custom_id\": 7"), 10).getMessage())
                .contains("line 1: custom_id must be a non-empty string");
        assertThat(refused(OK.replace("{\"model\": \"m\"}", "[]"), 10).getMessage()).contains("line 1: body");
        assertThat(refused("\"text\"", 10).getMessage()).isEqualTo("line 1 must be a JSON object");
        assertThat(refused(OK.replace("\"a\"", "\"" + "x".repeat(1025) + "\""), 10).getMessage())
                .contains("1024 characters");
        assertThat(refused(" \n\n", 10).code()).isEqualTo("empty_file");
        assertThat(refused(OK + "\n" + b, 1).getMessage()).contains("more than 1 requests");
    }
}
