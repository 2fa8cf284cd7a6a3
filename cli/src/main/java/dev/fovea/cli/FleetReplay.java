package dev.fovea.cli;

import dev.fovea.engine.Progress;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Replays a workload against a gateway: {@code concurrency} conversations in flight, the turns of each one after
 * another, every request bounded by {@code requestTimeout} (a request past it is abandoned and counted, so nothing
 * hangs the run). A failed turn ends its conversation — a chat client has no answer to carry on with — and the
 * turns left are counted as skipped. Kills fire as the completed requests reach their counts.
 */
final class FleetReplay {
    /** What a replay saw: every request, the turns skipped after a failure, the kills, the wall time. */
    record Result(List<FleetTurn> turns, int skippedTurns, List<Fired> kills, double seconds) {
    }

    /** A kill that fired: after how many completed requests, at what time of the run, whether it found the process. */
    record Fired(String component, int afterRequests, double atMs, boolean killed) {
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;
    private final String model;
    private final int maxTokens;
    private final int concurrency;
    private final Duration requestTimeout;
    private final List<FleetKill> kills;
    private final Path runDir;
    private final Progress progress;

    FleetReplay(String gateway, String model, int maxTokens, int concurrency, Duration requestTimeout,
            List<FleetKill> kills, Path runDir, Progress progress) {
        this.url = gateway.replaceAll("/+$", "") + "/v1/chat/completions";
        this.model = model;
        this.maxTokens = maxTokens;
        this.concurrency = concurrency;
        this.requestTimeout = requestTimeout;
        this.kills = List.copyOf(kills);
        this.runDir = runDir;
        this.progress = progress;
    }

    Result run(FleetWorkload workload) throws Exception {
        List<FleetTurn> turns = Collections.synchronizedList(new ArrayList<>());
        List<Fired> fired = Collections.synchronizedList(new ArrayList<>());
        boolean[] done = new boolean[kills.size()];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger(); // requests and skipped turns: the progress
        AtomicInteger answered = new AtomicInteger(); // requests that ended, however: what kills count
        AtomicInteger skipped = new AtomicInteger();
        int total = workload.requests();
        long start = System.nanoTime();
        // requests run on their own threads so that a conversation can walk away from one past its deadline
        ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
        ExecutorService clients = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                all.add(clients.submit(() -> {
                    for (int c; (c = next.getAndIncrement()) < workload.conversations().size(); ) {
                        FleetWorkload.Conversation conv = workload.conversations().get(c);
                        List<String> answers = new ArrayList<>();
                        for (int t = 0; t < conv.questions().size(); t++) {
                            FleetTurn turn = oneRequest(requests, conv, c, answers, t, start);
                            turns.add(turn);
                            int n = completed.incrementAndGet();
                            fireDue(answered.incrementAndGet(), done, fired, start);
                            if (!turn.ok()) {
                                int left = conv.questions().size() - t - 1;
                                skipped.addAndGet(left);
                                n = completed.addAndGet(left);
                                progress.update("fleet", n, total);
                                break;
                            }
                            answers.add(turn.answer());
                            progress.update("fleet", n, total);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                Futures.result(f);
            }
        } finally {
            clients.shutdownNow();
            requests.shutdownNow(); // abandoned requests: interrupted, not waited for
        }
        List<FleetTurn> ordered = new ArrayList<>(turns);
        ordered.sort((a, b) -> Double.compare(a.startMs(), b.startMs()));
        return new Result(ordered, skipped.get(), List.copyOf(fired), (System.nanoTime() - start) / 1e9);
    }

    private FleetTurn oneRequest(ExecutorService requests, FleetWorkload.Conversation conv, int c,
            List<String> answers, int t, long start) throws InterruptedException {
        var body = FleetRequest.body(model, conv, answers, t, maxTokens);
        long t0 = System.nanoTime();
        Future<FleetTurn> f = requests.submit(() -> FleetRequest.send(http, url, body, c, t, start, requestTimeout));
        try {
            return f.get(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return FleetTurn.failed(c, t, (t0 - start) / 1e6, FleetTurn.Outcome.TIMEOUT,
                    "not finished within " + requestTimeout.toSeconds() + " s", Double.NaN, (System.nanoTime() - t0) / 1e6);
        } catch (java.util.concurrent.ExecutionException e) {
            return FleetTurn.failed(c, t, (t0 - start) / 1e6, FleetTurn.Outcome.CONNECTION,
                    String.valueOf(e.getCause()), Double.NaN, (System.nanoTime() - t0) / 1e6);
        }
    }

    /** Fires each kill whose count the completed requests have reached, once. */
    private void fireDue(int completed, boolean[] done, List<Fired> fired, long start) throws Exception {
        synchronized (done) {
            for (int i = 0; i < kills.size(); i++) {
                FleetKill k = kills.get(i);
                if (!done[i] && completed >= k.afterRequests()) {
                    done[i] = true;
                    boolean killed;
                    try {
                        killed = k.fire(runDir);
                    } catch (IllegalArgumentException gone) {
                        killed = false; // died on its own meanwhile
                    }
                    fired.add(new Fired(k.component(), k.afterRequests(), (System.nanoTime() - start) / 1e6, killed));
                    ConsoleProgress.endLine();
                    System.err.println((killed ? "killed " : "could not kill ") + k.component() + " after "
                            + completed + " requests");
                }
            }
        }
    }
}
