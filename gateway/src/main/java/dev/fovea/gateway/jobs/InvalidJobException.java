package dev.fovea.gateway.jobs;

/** A job that can never run (undecodable or invalid): it goes to the dead-letter topic, never retried. */
final class InvalidJobException extends Exception {
    private final String code;
    private final String jobId;
    private final String batch;
    private final String clientRef;

    InvalidJobException(String message, String code, String jobId) {
        this(message, code, jobId, "", "");
    }

    /** A job whose metadata could be read before its request was refused: its result keeps its batch. */
    InvalidJobException(String message, String code, String jobId, String batch, String clientRef) {
        super(message);
        this.code = code;
        this.jobId = jobId;
        this.batch = batch;
        this.clientRef = clientRef;
    }

    /** Short machine-readable cause (e.g. invalid_json, invalid_request, model_not_found). */
    String code() {
        return code;
    }

    /** The job's id when it could be read, else null. */
    String jobId() {
        return jobId;
    }

    /** The job's batch when it could be read, else empty. */
    String batch() {
        return batch;
    }

    String clientRef() {
        return clientRef;
    }
}
