package dev.fovea.gateway.jobs;

import dev.fovea.gateway.chat.ChatCompletionRequest;

/**
 * A decoded job: the chat request and what the queue needs to know about it.
 *
 * @param deadlineUnixMs 0 = none
 */
record JobEnvelope(String id, String clientRef, int priority, long deadlineUnixMs, String batch,
                   ChatCompletionRequest request) {
}
