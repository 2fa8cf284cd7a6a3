package dev.fovea.gateway.jobs;

/** How many jobs of one batch have a result, by {@link JobOutcome}. */
public record JobTally(int succeeded, int failed, int cancelled) {
    /** Jobs with a result. */
    public int ended() {
        return succeeded + failed + cancelled;
    }
}
