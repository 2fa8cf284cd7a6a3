package dev.fovea.llmservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.proto.v1.DescribeLlmRequest;
import dev.fovea.proto.v1.GenerateEvent;
import dev.fovea.proto.v1.GenerateRequest;
import dev.fovea.proto.v1.LlmServiceGrpc;
import dev.fovea.proto.v1.Segment;
import dev.fovea.proto.v1.TokenIds;
import dev.fovea.proto.v1.TokenizeRequest;
import dev.fovea.testsupport.NeedsConformance;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The drain as Kubernetes triggers it: the built service in its own process gets SIGTERM while streams run. This
 * checks Quarkus's shutdown order in practice: the streams keep being served during the drain, readiness is DOWN
 * and new calls are refused meanwhile, and the process exits only after the drain.
 */
@NeedsConformance
class LlmShutdownIT {
    private Process process;
    private ManagedChannel channel;
    private Path log;

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void sigtermLetsTheQueuedStreamsFinishWhileRefusingNewOnes() throws Exception {
        int port = start("30s");
        List<Stream> streams = queueOfAbout(Duration.ofSeconds(3));
        firstToken(streams);
        // the calls are sent asynchronously: SIGTERM only once the server has taken every queued one, or a call still
        // on its way would (rightly) be refused as new
        assertThat(awaitAllTaken(port, streams)).as("all %d queued calls reached the server", streams.size()).isTrue();

        long sigterm = System.nanoTime();
        process.destroy();
        assertThat(awaitReadiness(port, 503)).as("readiness DOWN while draining").isTrue();
        Stream refused = generate(request(4));
        assertThatThrownBy(() -> refused.end.get(30, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).startsWith("llm replica draining:");
                });

        long lastEnd = 0;
        for (Stream s : streams) {
            s.end.get(60, TimeUnit.SECONDS);
            assertThat(s.events.getLast().hasFinished()).isTrue();
            lastEnd = Math.max(lastEnd, s.endedAt);
        }
        assertThat(lastEnd).as("a stream still finished after SIGTERM").isGreaterThan(sigterm);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the process exits after the drain").isTrue();
        assertThat(Files.readString(log)).contains("llm replica drained");
    }

    @Test
    void streamsThatOutlastTheDrainTimeoutAreEndedAsRetryableBeforeTheServerStops() throws Exception {
        start("1s");
        // far more than a second of work on any machine: 16 streams as long as the context allows, one at a time
        GenerateRequest request = request(500);
        List<Stream> streams = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            streams.add(generate(request));
        }
        firstToken(streams);
        process.destroy();
        int finished = 0;
        int ended = 0;
        for (Stream s : streams) {
            try {
                s.end.get(60, TimeUnit.SECONDS);
                finished++;
            } catch (ExecutionException e) {
                // the drain's own status, not a broken connection: it was sent before the server stopped
                assertThat(e.getCause()).isInstanceOfSatisfying(StatusRuntimeException.class, x -> {
                    assertThat(x.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(x.getStatus().getDescription()).startsWith("llm replica shut down before this Generate")
                            .endsWith("the request may be retried");
                });
                ended++;
            }
        }
        assertThat(ended).as("streams ended by the drain timeout (%d finished)", finished).isPositive();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    /** Waits for a first token; the streams reach the server in any order, so it may be any stream's. */
    private static void firstToken(List<Stream> streams) throws Exception {
        CompletableFuture.anyOf(streams.stream().map(s -> s.firstEvent).toArray(CompletableFuture[]::new))
                .get(120, TimeUnit.SECONDS);
    }

    /** A prompt that runs for {@code maxTokens} (greedy, the same for each stream), at most what the context leaves. */
    private GenerateRequest request(int maxTokens) {
        var llm = LlmServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        int context = llm.describe(DescribeLlmRequest.getDefaultInstance()).getContextLength();
        List<Integer> ids = llm.tokenize(TokenizeRequest.newBuilder().setText("Once upon a time").setAddSpecial(true)
                .build()).getIdsList();
        return GenerateRequest.newBuilder().addSegments(Segment.newBuilder()
                .setTokens(TokenIds.newBuilder().addAllIds(ids))).setMaxTokens(Math.min(maxTokens, context - ids.size()))
                .build();
    }

    /**
     * Streams queued behind one another (max-batch 1) that keep the replica busy for about {@code busy}, each about
     * a quarter of it: the conformance model's speed depends on the machine, so a request is timed first (after one
     * that warms the JIT up, which would make the estimate far too slow).
     */
    private List<Stream> queueOfAbout(Duration busy) throws Exception {
        int probe = 64;
        generate(request(probe)).end.get(120, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        generate(request(probe)).end.get(120, TimeUnit.SECONDS);
        double perToken = Math.max(1, System.nanoTime() - t0) / (double) probe;
        GenerateRequest request = request((int) Math.max(16, busy.toNanos() / 4 / perToken));
        double each = request.getMaxTokens() * perToken;
        int n = (int) Math.min(64, Math.ceil(busy.toNanos() / each) + 1);
        System.out.printf("queue: %d streams of %d tokens, %.2f ms a token measured%n", n, request.getMaxTokens(),
                perToken / 1e6);
        List<Stream> streams = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            streams.add(generate(request));
        }
        return streams;
    }

    private int start(String drainTimeout) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        assertThat(jar).as("built by the package phase before this test").isRegularFile();
        Path model = Path.of(System.getProperty("fovea.shared.dir"), "conformance", "models", "llama-spm-q8_0.gguf");
        log = Path.of("target", "llm-shutdown-" + drainTimeout + ".log").toAbsolutePath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1", "-Dfovea.llm.model=" + model,
                "-Dfovea.llm.max-batch=1", "-Dfovea.llm.drain-timeout=" + drainTimeout, "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(awaitReadiness(port, 200)).as("ready; log " + log).isTrue();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        return port;
    }

    /** Polls /q/health/ready until it answers {@code status}; false if the process exits or 120 s pass first. */
    private boolean awaitReadiness(int port, int status) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == status) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        return false;
    }

    /**
     * Polls the readiness check's {@code calls-in-flight} until it and the streams already ended account for every
     * stream; false after 30 s.
     */
    private boolean awaitAllTaken(int port, List<Stream> streams) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        Pattern inFlight = Pattern.compile("\"calls-in-flight\"\\s*:\\s*(\\d+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                // ended first: a stream ending in between is then counted at most once (and the poll repeats)
                long ended = streams.stream().filter(x -> x.end.isDone()).count();
                Matcher m = inFlight.matcher(http.send(ready, HttpResponse.BodyHandlers.ofString()).body());
                if (m.find() && Integer.parseInt(m.group(1)) + ended >= streams.size()) {
                    return true;
                }
            } catch (IOException e) {
                // retried until the deadline
            }
            Thread.sleep(5);
        }
        return false;
    }

    /** One Generate stream: its events, its first event, its end (failing with the status) and when it ended. */
    private static final class Stream {
        final List<GenerateEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        final CompletableFuture<Void> firstEvent = new CompletableFuture<>();
        final CompletableFuture<Void> end = new CompletableFuture<>();
        volatile long endedAt;
    }

    private Stream generate(GenerateRequest request) {
        Stream s = new Stream();
        LlmServiceGrpc.newStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS).generate(request,
                new StreamObserver<>() {
                    @Override
                    public void onNext(GenerateEvent e) {
                        s.events.add(e);
                        s.firstEvent.complete(null);
                    }

                    @Override
                    public void onError(Throwable t) {
                        s.endedAt = System.nanoTime();
                        s.end.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        s.endedAt = System.nanoTime();
                        s.end.complete(null);
                    }
                });
        return s;
    }
}
