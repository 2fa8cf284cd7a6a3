package dev.fovea.gateway.jobs;

/** A job the worker stopped running without an outcome: it is not committed, so some worker runs it again. */
final class JobAbandonedException extends RuntimeException {
    JobAbandonedException(String jobId) {
        super("abandoned: " + jobId);
    }
}
