package dev.fovea.gateway.jobs;

import com.fasterxml.jackson.databind.JsonNode;

/** How a job with a result ended, as a batch counts it. */
public enum JobOutcome {
    /** With a completion. */
    SUCCEEDED,
    /** Failed, rejected, or expired by its own deadline. */
    FAILED,
    /** Not run: its batch was cancelled before a worker started it. */
    CANCELLED;

    /** The outcome of a result as the results topic holds it (docs/jobs.md). */
    public static JobOutcome of(JsonNode result) {
        String state = result.path("state").asText();
        if (state.equals("succeeded")) {
            return SUCCEEDED;
        }
        boolean notRun = state.equals("expired")
                && result.path("error").path("code").asText().equals(JobCancellations.CANCELLED_CODE);
        return notRun ? CANCELLED : FAILED;
    }
}
