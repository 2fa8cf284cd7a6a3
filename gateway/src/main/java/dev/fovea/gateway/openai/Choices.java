package dev.fovea.gateway.openai;

import dev.fovea.gateway.chat.ChatCompletionRequest;
import dev.fovea.gateway.chat.ChatOrchestrator;
import dev.fovea.gateway.chat.ChatSink;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The n choices of one request and where each reports. */
interface Choices {
    ChatSink sink(int index);

    /**
     * Answers {@code request} on {@code response} in {@code shape}: its n choices as n generations (a given seed
     * gives choice i the seed + i, so the choices differ yet repeat), as one JSON body or as server-sent events;
     * a client gone, before the start or during it, cancels all of them.
     */
    static void run(ChatOrchestrator orchestrator, HttpReplies replies, HttpServerResponse response, ReplyShape shape,
                    ChatCompletionRequest request, boolean stream, boolean includeUsage, String requestId) {
        List<ChatOrchestrator.Cancellation> running = new CopyOnWriteArrayList<>();
        Runnable cancelAll = () -> running.forEach(ChatOrchestrator.Cancellation::cancel);
        Choices choices = stream
                ? new SseChoices(replies, response, shape, request.n(), includeUsage, requestId, cancelAll)
                : new JsonChoices(replies, response, shape, request.n(), requestId, cancelAll);
        // the close handler goes on first: a client gone before the start still cancels what has started
        response.closeHandler(v -> cancelAll.run());
        for (int i = 0; i < request.n(); i++) {
            ChatCompletionRequest run = i == 0 || request.sampling().seed() == null ? request
                    : request.withSeed(request.sampling().seed() + i);
            running.add(orchestrator.start(run, "http", stream, choices.sink(i), requestId));
            if (response.closed()) {
                cancelAll.run();
            }
        }
    }
}
