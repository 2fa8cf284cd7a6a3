package dev.fovea.gateway.openai;

import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.chat.ChatOutcome;
import dev.fovea.gateway.chat.ChatSink;
import dev.fovea.gateway.chat.TokenLogprob;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;

/**
 * Server-sent events for n choices: headers go out with the first token, so earlier failures still get a real
 * status; each choice's chunks carry its index; [DONE] follows the last choice's end.
 */
final class SseChoices implements Choices {
    private final HttpReplies replies;
    private final HttpServerResponse response;
    private final ReplyShape shape;
    private final boolean includeUsage;
    private final String requestId;
    private final Runnable cancelAll;
    private final ChatOutcome[] outcomes;
    private final boolean[] begun;
    private final boolean[] streamedText;
    private int finished;
    private boolean started;
    private boolean ended;

    SseChoices(HttpReplies replies, HttpServerResponse response, ReplyShape shape, int n, boolean includeUsage,
               String requestId, Runnable cancelAll) {
        this.replies = replies;
        this.requestId = requestId;
        this.response = response;
        this.shape = shape;
        this.includeUsage = includeUsage;
        this.cancelAll = cancelAll;
        this.outcomes = new ChatOutcome[n];
        this.begun = new boolean[n];
        this.streamedText = new boolean[n];
    }

    @Override
    public ChatSink sink(int index) {
        return new ChatSink() {
            @Override
            public void token(int tokenId, String text) {
                token(tokenId, text, null);
            }

            @Override
            public void token(int tokenId, String text, TokenLogprob logprob) {
                synchronized (SseChoices.this) {
                    if (ended) {
                        return;
                    }
                    if (!begun[index] || !text.isEmpty() || logprob != null) {
                        content(index, text, logprob);
                    }
                }
            }

            @Override
            public void finished(ChatOutcome outcome) {
                synchronized (SseChoices.this) {
                    if (ended) {
                        return;
                    }
                    if (!outcome.toolCalls().isEmpty()) {
                        content(index, null, null);
                        event(shape.toolCallChunk(index, outcome).toString());
                    } else if (!streamedText[index] && !outcome.text().isEmpty()) {
                        // text held back while it could still have become a function call
                        content(index, outcome.text(), null);
                    } else if (!begun[index]) {
                        content(index, "", null);
                    }
                    event(shape.finalChunk(index, outcome).toString());
                    outcomes[index] = outcome;
                    if (++finished < outcomes.length) {
                        return;
                    }
                    ended = true;
                    if (includeUsage) {
                        event(shape.usageChunk(List.of(outcomes)).toString());
                    }
                    event("[DONE]");
                    if (!response.closed()) {
                        response.end();
                    }
                }
            }

            @Override
            public void failed(ApiException error) {
                synchronized (SseChoices.this) {
                    if (ended) {
                        return;
                    }
                    ended = true;
                    if (!started) {
                        replies.send(response, error, requestId);
                    } else {
                        event(shape.error(error, requestId).toString());
                        if (!response.closed()) {
                            response.end();
                        }
                    }
                }
                cancelAll.run();
            }
        };
    }

    /** A content chunk of choice {@code index} (null text: only the role, before a tool call). */
    private void content(int index, String text, TokenLogprob logprob) {
        if (!started) {
            started = true;
            if (!response.closed()) {
                response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "text/event-stream")
                        .putHeader("Cache-Control", "no-cache");
            }
        }
        boolean first = !begun[index];
        begun[index] = true;
        if (text != null && !text.isEmpty()) {
            streamedText[index] = true;
        }
        event(shape.chunk(index, text, first, logprob).toString());
    }

    private void event(String data) {
        if (!response.closed() && !response.ended()) {
            response.write("data: " + data + "\n\n");
        }
    }
}
