package dev.fovea.gateway.openai;

import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.chat.ChatOutcome;
import dev.fovea.gateway.chat.ChatSink;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;

/** The whole completion as one JSON body, once every choice is finished; the first failure answers instead. */
final class JsonChoices implements Choices {
    private final HttpReplies replies;
    private final HttpServerResponse response;
    private final ReplyShape shape;
    private final String requestId;
    private final Runnable cancelAll;
    private final ChatOutcome[] outcomes;
    private int finished;
    private boolean answered;

    JsonChoices(HttpReplies replies, HttpServerResponse response, ReplyShape shape, int n, String requestId,
                Runnable cancelAll) {
        this.replies = replies;
        this.requestId = requestId;
        this.response = response;
        this.shape = shape;
        this.cancelAll = cancelAll;
        this.outcomes = new ChatOutcome[n];
    }

    @Override
    public ChatSink sink(int index) {
        return new ChatSink() {
            @Override
            public void token(int tokenId, String text) {
            }

            @Override
            public void finished(ChatOutcome outcome) {
                synchronized (JsonChoices.this) {
                    outcomes[index] = outcome;
                    if (++finished < outcomes.length || answered) {
                        return;
                    }
                    answered = true;
                }
                replies.send(response, 200, shape.completion(List.of(outcomes)));
            }

            @Override
            public void failed(ApiException error) {
                synchronized (JsonChoices.this) {
                    if (answered) {
                        return;
                    }
                    answered = true;
                }
                cancelAll.run();
                replies.send(response, error, requestId);
            }
        };
    }
}
