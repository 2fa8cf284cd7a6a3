package dev.fovea.gateway.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Names stand for all their addresses, re-resolved: pods that join are used, pods that leave are dropped. */
class ReplicaDiscoveryTest {
    private static final GrpcChannels CHANNELS = new GrpcChannels();

    @org.junit.jupiter.api.AfterAll
    static void closeChannels() throws InterruptedException {
        CHANNELS.close();
    }
    private static RoutingSettings every(Duration refresh) {
        return new RoutingSettings() {
            public Policy policy() {
                return Policy.CONTENT;
            }

            public double loadFactor() {
                return 1.25;
            }

            public int minLoadBound() {
                return 4;
            }

            public Duration discoveryRefresh() {
                return refresh;
            }

            public Duration ejectFor() {
                return Duration.ofSeconds(10);
            }

            public Duration loadPoll() {
                return Duration.ofSeconds(1);
            }

            public int prefixBlockTokens() {
                return 16;
            }

            public long prefixIndexSize() {
                return 100;
            }
        };
    }

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void literalsAreThemselvesAndLocalhostIsOneReplica() {
        ReplicaDiscovery d = new ReplicaDiscovery(every(Duration.ofMinutes(5)), CHANNELS);
        assertThat(d.replicas(List.of("10.0.0.7:8081", "[::1]:8081"))).containsExactly("10.0.0.7:8081", "[::1]:8081");
        // the system resolver: a dual-stack localhost is 127.0.0.1 only, not two replicas of one process
        assertThat(d.replicas(List.of("localhost:8083"))).containsExactly("127.0.0.1:8083");
    }

    @Test
    void aHeadlessServiceNameFollowsItsPods() throws Exception {
        AtomicReference<InetAddress[]> pods = new AtomicReference<>(new InetAddress[] {ip("10.1.0.2"), ip("10.1.0.1")});
        ReplicaDiscovery d = new ReplicaDiscovery(every(Duration.ofMinutes(5)), host -> {
            if (!host.equals("encoder-clip.fovea.svc")) {
                throw new UnknownHostException(host);
            }
            InetAddress[] now = pods.get();
            if (now.length == 0) {
                throw new UnknownHostException(host);
            }
            return now;
        }, CHANNELS);
        List<String> names = List.of("encoder-clip.fovea.svc:8081");
        assertThat(d.replicas(names)).containsExactly("10.1.0.1:8081", "10.1.0.2:8081");
        pods.set(new InetAddress[] {ip("10.1.0.1"), ip("10.1.0.2"), ip("10.1.0.3")}); // scaled up
        d.refresh();
        assertThat(d.replicas(names)).containsExactly("10.1.0.1:8081", "10.1.0.2:8081", "10.1.0.3:8081");
        io.grpc.ManagedChannel toGone = CHANNELS.channel("10.1.0.1:8081");
        io.grpc.ManagedChannel toStaying = CHANNELS.channel("10.1.0.3:8081");
        pods.set(new InetAddress[] {ip("10.1.0.3")}); // two pods went away
        d.refresh();
        assertThat(d.replicas(names)).containsExactly("10.1.0.3:8081");
        assertThat(toGone.isShutdown()).as("the channel to a pod that left is closed").isTrue();
        assertThat(toStaying.isShutdown()).isFalse();
        pods.set(new InetAddress[0]); // the name stops resolving for a moment: keep the last answer
        d.refresh();
        assertThat(d.replicas(names)).containsExactly("10.1.0.3:8081");
        // a name that never resolved is used as given, so a call fails naming it
        assertThat(d.replicas(List.of("nowhere.invalid:1"))).containsExactly("nowhere.invalid:1");
    }

    @Test
    void theRefresherRunsOnItsOwn() throws Exception {
        AtomicReference<InetAddress[]> pods = new AtomicReference<>(new InetAddress[] {ip("10.2.0.1")});
        ReplicaDiscovery d = new ReplicaDiscovery(every(Duration.ofMillis(100)), host -> pods.get(), CHANNELS);
        List<String> names = List.of("llm.fovea.svc:8083");
        assertThat(d.replicas(names)).containsExactly("10.2.0.1:8083");
        pods.set(new InetAddress[] {ip("10.2.0.1"), ip("10.2.0.9")});
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (d.replicas(names).size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(d.replicas(names)).containsExactly("10.2.0.1:8083", "10.2.0.9:8083");
        d.close();
    }
}
