package dev.fovea.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Only a partition's finished prefix may be committed: a job that finished early waits for the ones before it. */
class PartitionProgressTest {
    private static JobDisposition done(String id) {
        return new JobDisposition(id, new byte[] {1}, null, null, null, "succeeded");
    }

    @Test
    void releasesTheFinishedPrefixInFetchOrder() {
        PartitionProgress p = new PartitionProgress();
        for (long offset : new long[] {10, 11, 13, 14}) { // gaps in offsets are fine: fetch order counts
            p.fetched(offset);
        }
        p.finished(13, done("c"), 0);
        p.finished(11, done("b"), 0);
        assertThat(p.takeFinishedPrefix()).as("10 is still running").isEmpty();
        p.finished(10, done("a"), 0);
        List<PartitionProgress.Done> first = p.takeFinishedPrefix();
        assertThat(first).extracting(PartitionProgress.Done::offset).containsExactly(10L, 11L, 13L);
        assertThat(first.getLast().offset() + 1).as("the offset to commit").isEqualTo(14L);
        assertThat(p.isEmpty()).isFalse();
        p.finished(14, done("d"), 0);
        assertThat(p.takeFinishedPrefix()).extracting(PartitionProgress.Done::offset).containsExactly(14L);
        assertThat(p.isEmpty()).isTrue();
        assertThat(p.takeFinishedPrefix()).isEmpty();
    }
}
