package dev.fovea.llmservice;

import dev.fovea.proto.v1.GenerateEvent;
import dev.fovea.proto.v1.GenerateRequest;
import dev.fovea.proto.v1.LlmServiceGrpc;
import dev.fovea.proto.v1.Segment;
import dev.fovea.proto.v1.TokenIds;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;

/** A gRPC client of the test's service for the drain tests: streams collected as they arrive. */
final class DrainCalls implements AutoCloseable {
    /** A Generate stream's events so far and how it ended (the future fails with the call's status). */
    record Stream(List<GenerateEvent> events, CompletableFuture<Void> end) {
    }

    final ManagedChannel channel;
    final LlmServiceGrpc.LlmServiceBlockingStub blocking;

    DrainCalls() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        blocking = LlmServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    static GenerateRequest request(int[] prompt, int maxTokens) {
        TokenIds.Builder ids = TokenIds.newBuilder();
        for (int id : prompt) {
            ids.addIds(id);
        }
        return GenerateRequest.newBuilder().addSegments(Segment.newBuilder().setTokens(ids)).setMaxTokens(maxTokens)
                .build();
    }

    Stream generate(GenerateRequest request) {
        Stream s = new Stream(new CopyOnWriteArrayList<>(), new CompletableFuture<>());
        LlmServiceGrpc.newStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS).generate(request,
                new StreamObserver<>() {
                    @Override
                    public void onNext(GenerateEvent e) {
                        s.events().add(e);
                    }

                    @Override
                    public void onError(Throwable t) {
                        s.end().completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        s.end().complete(null);
                    }
                });
        return s;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
