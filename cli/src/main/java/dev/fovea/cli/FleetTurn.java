package dev.fovea.cli;

/**
 * One request of a {@code fovea bench fleet} run: which turn of which conversation, when it started (ms after the
 * run began), how it ended, and what the stream reported. {@code ttftMs} is NaN when no content arrived.
 */
record FleetTurn(int conversation, int turn, double startMs, Outcome outcome, String error, double ttftMs,
                 double durationMs, int promptTokens, int completionTokens, int cachedTokens, String answer) {

    /** How a request ended; the bench retries nothing, so every outcome but OK is a request the stack lost. */
    enum Outcome {
        OK, HTTP_ERROR, STREAM_ERROR, TIMEOUT, CONNECTION
    }

    boolean ok() {
        return outcome == Outcome.OK;
    }

    static FleetTurn failed(int conversation, int turn, double startMs, Outcome outcome, String error,
            double ttftMs, double durationMs) {
        return new FleetTurn(conversation, turn, startMs, outcome, error, ttftMs, durationMs, 0, 0, 0, "");
    }
}
