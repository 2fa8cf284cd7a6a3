package dev.fovea.gateway.batches;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.ApiException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** OpenAI's cursor pages, the order of batch states, and the ids a batch derives. */
class BatchPagesAndStatesTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void pagesFollowTheCursor() {
        List<String> items = List.of("c", "b", "a");
        ObjectNode first = ListPage.of(mapper, items, s -> s, s -> mapper.createObjectNode().put("id", s), null, 2);
        assertThat(first.path("data").findValuesAsText("id")).containsExactly("c", "b");
        assertThat(first.path("first_id").asText()).isEqualTo("c");
        assertThat(first.path("last_id").asText()).isEqualTo("b");
        assertThat(first.path("has_more").asBoolean()).isTrue();
        ObjectNode next = ListPage.of(mapper, items, s -> s, s -> mapper.createObjectNode().put("id", s), "b", 2);
        assertThat(next.path("data").findValuesAsText("id")).containsExactly("a");
        assertThat(next.path("has_more").asBoolean()).isFalse();
        ObjectNode empty = ListPage.of(mapper, items, s -> s, s -> mapper.createObjectNode().put("id", s), "a", 2);
        assertThat(empty.path("first_id").isNull()).isTrue();
        assertThat(catchThrowableOfType(ApiException.class, () -> ListPage.of(mapper, items, s -> s,
                s -> mapper.createObjectNode(), "zz", 2)).param()).isEqualTo("after");
    }

    @Test
    void aLaterStateIsNeverReplacedByAnEarlierOne() {
        assertThat(Batch.rank(Batch.VALIDATING)).isLessThan(Batch.rank(Batch.IN_PROGRESS));
        assertThat(Batch.rank(Batch.IN_PROGRESS)).isLessThan(Batch.rank(Batch.CANCELLING));
        assertThat(Batch.rank(Batch.CANCELLING)).isLessThan(Batch.rank(Batch.FINALIZING));
        for (String end : List.of(Batch.COMPLETED, Batch.FAILED, Batch.CANCELLED, Batch.EXPIRED)) {
            assertThat(Batch.rank(end)).isGreaterThan(Batch.rank(Batch.FINALIZING));
        }
        assertThat(BatchIds.job("batch_x", 0)).isEqualTo("batch_x-000001");
        assertThat(BatchIds.outputFile("batch_x")).isEqualTo(BatchIds.outputFile("batch_x"))
                .isNotEqualTo(BatchIds.errorFile("batch_x")).startsWith("file-");
        assertThat(BatchIds.newBatch()).startsWith("batch_").isNotEqualTo(BatchIds.newBatch());
    }
}
