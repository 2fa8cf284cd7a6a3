package dev.fovea.engine;

/** Receives progress of long work (model load, synthesis, evaluation) so front ends can show it. */
@FunctionalInterface
public interface Progress {
    /** {@code done} of {@code total} units of {@code stage} are finished. */
    void update(String stage, long done, long total);

    /** Ignores all updates. */
    Progress NONE = (stage, done, total) -> {
    };
}
