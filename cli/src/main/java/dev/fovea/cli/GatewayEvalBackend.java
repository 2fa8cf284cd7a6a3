package dev.fovea.cli;

import dev.fovea.shapesworld.TestQuestion;
import dev.fovea.shapesworld.TestSet;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code --via grpc}: a running gateway ({@code fovea up}), one synchronous {@code POST /v1/chat/completions} per
 * question with the image as a data URL, {@code concurrency} at a time. The gateway runs each through the encoder,
 * adapter and LLM services over gRPC — the path a served model takes.
 */
final class GatewayEvalBackend implements EvalBackend {
    private final String gateway;
    private final String model;
    private final int maxTokens;
    private final int concurrency;
    private final Duration timeout;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    GatewayEvalBackend(String gateway, String model, int maxTokens, int concurrency, Duration timeout) {
        this.gateway = gateway.replaceAll("/+$", "");
        this.model = model;
        this.maxTokens = maxTokens;
        this.concurrency = concurrency;
        this.timeout = timeout;
    }

    @Override
    public String model() {
        return model;
    }

    @Override
    public List<String> answers(TestSet set, ConsoleProgress progress) throws Exception {
        List<TestQuestion> questions = set.questions();
        AtomicInteger done = new AtomicInteger();
        progress.update("eval", 0, questions.size());
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<String>> pending = new ArrayList<>();
            for (TestQuestion q : questions) {
                pending.add(pool.submit(() -> {
                    String answer = ask(set, q);
                    synchronized (done) { // counted and drawn together, so the bar never steps back
                        progress.update("eval", done.incrementAndGet(), questions.size());
                    }
                    return answer;
                }));
            }
            List<String> out = new ArrayList<>();
            for (Future<String> f : pending) {
                out.add(Futures.result(f));
            }
            return out;
        } finally {
            pool.shutdownNow(); // after a failure, the questions still queued are not sent
        }
    }

    private String ask(TestSet set, TestQuestion q) throws Exception {
        String body = ChatRequests.imageQuestion(model, set.imageFile(q), q.question(), maxTokens).toString();
        HttpResponse<String> r;
        try {
            r = http.send(GatewayRequests.to(gateway + "/v1/chat/completions").timeout(timeout)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new IllegalStateException("no gateway answers at " + gateway + " (start the stack with `bin/fovea up`)");
        }
        if (r.statusCode() != 200) {
            throw new IllegalStateException("question " + q.id() + ": the gateway answered " + r.statusCode() + ": "
                    + ChatRequests.abbreviate(r.body()));
        }
        return ChatRequests.answer(Json.mapper().readTree(r.body()));
    }
}
