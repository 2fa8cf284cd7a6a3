package dev.fovea.gateway.jobs;

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

    @Test
    void resultsPastThePrefixGoOutOnceWithoutWaiting() {
        PartitionProgress p = new PartitionProgress();
        for (long offset : new long[] {20, 21, 22}) {
            p.fetched(offset);
        }
        p.finished(22, done("c"), 0);
        p.finished(21, new JobDisposition(null, null, "key", new byte[] {1}, null, "rejected"), 0);
        // 20 still runs (a backend is away): 22's result is written now; 21 has no result and waits for its offset
        assertThat(p.takeEarlyResults()).extracting(PartitionProgress.Done::offset).containsExactly(22L);
        assertThat(p.takeEarlyResults()).as("written once").isEmpty();
        assertThat(p.takeFinishedPrefix()).isEmpty();
        p.finished(20, done("a"), 0);
        List<PartitionProgress.Done> prefix = p.takeFinishedPrefix();
        assertThat(prefix).extracting(PartitionProgress.Done::offset).containsExactly(20L, 21L, 22L);
        assertThat(prefix).extracting(PartitionProgress.Done::written).containsExactly(false, false, true);
    }

    @Test
    void aRecordFinishedTwiceCountsOnce() {
        PartitionProgress p = new PartitionProgress();
        p.fetched(30);
        p.fetched(31);
        p.finished(31, done("b"), 0);
        assertThat(p.takeEarlyResults()).hasSize(1);
        // a second run of the same record (fetched again after its partition came back) ends too
        p.finished(31, done("b"), 0);
        assertThat(p.takeEarlyResults()).as("its result is not written again").isEmpty();
        p.finished(30, done("a"), 0);
        assertThat(p.takeFinishedPrefix()).extracting(PartitionProgress.Done::offset).containsExactly(30L, 31L);
        p.finished(30, done("a"), 0);
        assertThat(p.takeEarlyResults()).as("an outcome after the commit is dropped").isEmpty();
        assertThat(p.takeFinishedPrefix()).isEmpty();
    }
}
