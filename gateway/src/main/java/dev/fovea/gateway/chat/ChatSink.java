package dev.fovea.gateway.chat;

import dev.fovea.gateway.ApiException;

/** Where a running chat completion reports; exactly one of {@code finished} or {@code failed} ends it. */
public interface ChatSink {
    /** A generated token ({@code id} is -1 for text the LLM held back and flushed at the end). */
    void token(int id, String text);

    /** As {@link #token(int, String)}, with the position's log-probabilities when the request asked for them. */
    default void token(int id, String text, TokenLogprob logprob) {
        token(id, text);
    }

    void finished(ChatOutcome outcome);

    void failed(ApiException error);
}
