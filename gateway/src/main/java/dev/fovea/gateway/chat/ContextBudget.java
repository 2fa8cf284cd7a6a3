package dev.fovea.gateway.chat;

import dev.fovea.gateway.ApiException;

/**
 * How many tokens a request may generate in the model's context: a client's {@code max_tokens} must fit beside the
 * prompt (else 400 naming the limit, as OpenAI answers); without one, the gateway's default is cut to what fits. The
 * LLM service applies the same rule; checking here answers at once and keeps work the model cannot do off it.
 *
 * @param context          the model's context length in positions (LlmService.Describe)
 * @param defaultMaxTokens fovea.gateway.default-max-tokens
 */
record ContextBudget(int context, int defaultMaxTokens) {
    static final String CODE = "context_length_exceeded";

    ContextBudget {
        if (context <= 0) {
            context = Integer.MAX_VALUE; // a service that reports no context leaves the check to itself
        }
    }

    /** Before any work: a max_tokens that cannot fit even beside a one-token prompt. */
    void checkRequested(Long maxTokens) {
        if (maxTokens != null && maxTokens >= context) {
            throw ApiException.badRequest("max_tokens is " + maxTokens + ", but this model's maximum context length is "
                    + context + " tokens (prompt and completion together)", "max_tokens", CODE);
        }
    }

    /** The completion's max_tokens for a prompt of {@code promptPositions} positions (tokens and image rows). */
    int maxTokens(long promptPositions, Long requested) {
        if (promptPositions >= context) {
            throw ApiException.badRequest("the prompt takes " + promptPositions + " positions, but this model's maximum"
                    + " context length is " + context + " tokens, which leaves no room for a completion", "messages",
                    CODE);
        }
        long room = context - promptPositions;
        if (requested == null) {
            return (int) Math.min(defaultMaxTokens, room);
        }
        if (requested > room) {
            throw ApiException.badRequest("this model's maximum context length is " + context + " tokens, but "
                    + (promptPositions + requested) + " were requested (" + promptPositions + " in the messages, "
                    + requested + " in max_tokens); reduce the messages or max_tokens", "max_tokens", CODE);
        }
        return requested.intValue();
    }
}
