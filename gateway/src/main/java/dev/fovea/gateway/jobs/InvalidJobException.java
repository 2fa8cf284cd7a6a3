package dev.fovea.gateway.jobs;

/** A job that can never run (undecodable or invalid): it goes to the dead-letter topic, never retried. */
final class InvalidJobException extends Exception {
    private final String code;
    private final String jobId;

    InvalidJobException(String message, String code, String jobId) {
        super(message);
        this.code = code;
        this.jobId = jobId;
    }

    /** Short machine-readable cause (e.g. invalid_json, invalid_request, model_not_found). */
    String code() {
        return code;
    }

    /** The job's id when it could be read, else null. */
    String jobId() {
        return jobId;
    }
}
