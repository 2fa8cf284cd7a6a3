package dev.fovea.engine.pipeline;

/** Why a generation ended (named as in OpenAI's API where one exists). */
public enum FinishReason {
    /** An end-of-generation token or a stop string. */
    STOP,
    /** The token limit or the context was reached. */
    LENGTH,
    /** The caller cancelled. */
    CANCELLED
}
