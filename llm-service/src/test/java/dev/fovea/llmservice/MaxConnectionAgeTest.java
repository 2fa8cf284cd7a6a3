package dev.fovea.llmservice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.grpcsupport.MaxConnectionAge;
import dev.fovea.proto.v1.GenerateEvent;
import dev.fovea.proto.v1.TokenizeRequest;
import dev.fovea.testsupport.NeedsConformance;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The max connection age on the shared HTTP/gRPC server, seen by a grpc-java client: its connection is replaced
 * every second (the test's max age) while it keeps calling, no call fails, and a stream open across the GOAWAY
 * finishes on the old connection within the grace.
 */
@NeedsConformance
@QuarkusTest
@TestProfile(MaxConnectionAgeTest.ShortAge.class)
class MaxConnectionAgeTest {
    public static class ShortAge implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fovea.grpc.max-connection-age", "1s", "fovea.grpc.max-connection-age-grace", "30s");
        }
    }

    @Inject
    LlmRuntime runtime;
    @Inject
    MaxConnectionAge age;

    @Test
    void connectionsAreReplacedWhileCallsGoOnWithoutFailing() throws Exception {
        int[] prompt = runtime.model().tokenizer().encode("Hello world", true, true);
        long seenBefore = age.connectionsSeen();
        long agedBefore = age.connectionsAged();
        int calls = 0;
        try (DrainCalls client = new DrainCalls()) {
            DrainCalls.Stream stream;
            try (HeldScheduler held = new HeldScheduler(runtime)) {
                // opened on the first connection, and held past that connection's age
                stream = client.generate(DrainCalls.request(prompt, 5));
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(4500);
                while (System.nanoTime() < end) {
                    // any failure (a call sent on a connection going away) throws here
                    client.blocking.tokenize(TokenizeRequest.newBuilder().setText("hi").build());
                    calls++;
                    Thread.sleep(50);
                }
                assertThat(stream.end()).as("the stream is held by the scheduler").isNotDone();
            }
            stream.end().get(60, TimeUnit.SECONDS);
            assertThat(stream.events()).filteredOn(GenerateEvent::hasToken).hasSize(5);
            assertThat(stream.events().getLast().hasFinished()).isTrue();
        }
        assertThat(calls).isGreaterThan(20);
        // 4.5 s at an age of 0.9–1.1 s: the first connection and at least three replacements
        assertThat(age.connectionsAged() - agedBefore).as("connections sent GOAWAY").isGreaterThanOrEqualTo(3);
        assertThat(age.connectionsSeen() - seenBefore).as("connections the client opened").isGreaterThanOrEqualTo(4);
    }
}
