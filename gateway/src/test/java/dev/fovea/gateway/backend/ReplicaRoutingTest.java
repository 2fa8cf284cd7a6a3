package dev.fovea.gateway.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.gateway.GatewayMetrics;
import dev.fovea.proto.v1.Embeddings;
import dev.fovea.proto.v1.GenerateRequest;
import dev.fovea.proto.v1.ReplicaLoad;
import dev.fovea.proto.v1.Segment;
import dev.fovea.proto.v1.TokenIds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The routing rules without services: rendezvous placement, the load bound, the prefix index, failover order. */
class ReplicaRoutingTest {
    // nothing listens on these: the channels stay idle, which the health check treats as usable
    private static final List<String> THREE = List.of("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3");

    private final GrpcChannels channels = new GrpcChannels();

    @AfterEach
    void close() throws InterruptedException {
        channels.close();
    }

    private static RoutingSettings settings(RoutingSettings.Policy policy) {
        return new RoutingSettings() {
            public Policy policy() {
                return policy;
            }

            public double loadFactor() {
                return 1.25;
            }

            public int minLoadBound() {
                return 3;
            }

            public Duration discoveryRefresh() {
                return Duration.ofMinutes(5);
            }

            public Duration ejectFor() {
                return Duration.ofMinutes(5);
            }

            public Duration loadPoll() {
                return Duration.ofMinutes(5);
            }

            public int prefixBlockTokens() {
                return 4;
            }

            public long prefixIndexSize() {
                return 10_000;
            }
        };
    }

    private record Parts(ReplicaRouter router, ReplicaLoads loads, ReplicaHealth health) {
    }

    private Parts router(RoutingSettings.Policy policy) {
        RoutingSettings s = settings(policy);
        ReplicaLoads loads = new ReplicaLoads();
        ReplicaHealth health = new ReplicaHealth(channels, s);
        ReplicaRouter router = new ReplicaRouter(new ReplicaDiscovery(s, channels), health, loads, new PrefixIndex(s), channels,
                new GatewayMetrics(new SimpleMeterRegistry()), s);
        return new Parts(router, loads, health);
    }

    private static Map<String, String> placement(List<String> replicas, int keys) {
        Map<String, String> out = new HashMap<>();
        for (int k = 0; k < keys; k++) {
            out.put("img-" + k, Rendezvous.order(Rendezvous.hash("img-" + k), replicas).getFirst());
        }
        return out;
    }

    @Test
    void rendezvousSpreadsKeysEvenlyAndMovesOnlyThoseOfAReplicaThatLeaves() {
        Map<String, String> three = placement(THREE, 30_000);
        for (String r : THREE) {
            long n = three.values().stream().filter(r::equals).count();
            assertThat(n).as(r).isBetween(9_000L, 11_000L);
        }
        Map<String, String> two = placement(THREE.subList(0, 2), 30_000);
        long moved = three.keySet().stream().filter(k -> !three.get(k).equals(two.get(k))).count();
        long onGone = three.values().stream().filter(THREE.get(2)::equals).count();
        assertThat(moved).isEqualTo(onGone); // exactly the keys of the replica that left

        List<String> four = new ArrayList<>(THREE);
        four.add("127.0.0.1:4");
        Map<String, String> grown = placement(four, 30_000);
        three.forEach((k, r) -> assertThat(grown.get(k)).isIn(r, "127.0.0.1:4"));
        long toNew = grown.values().stream().filter("127.0.0.1:4"::equals).count();
        assertThat(toNew).isBetween(6_500L, 8_500L);
    }

    @Test
    void theLoadBoundLeavesRoomOnSomeReplica() {
        assertThat(ReplicaLoads.bound(0, 2, 1.25)).isEqualTo(1);
        assertThat(ReplicaLoads.bound(7, 2, 1.25)).isEqualTo(5);
        for (int load = 0; load < 50; load++) {
            for (int n = 1; n < 6; n++) {
                assertThat((double) ReplicaLoads.bound(load, n, 1.25) * n).isGreaterThan(load);
            }
        }
    }

    @Test
    void anImageGoesToOneReplicaUntilItIsPastItsShareThenToTheNext() {
        Parts p = router(RoutingSettings.Policy.CONTENT);
        List<String> first = p.router().encoder(THREE, "sha/clip/full");
        assertThat(first).hasSize(2).doesNotHaveDuplicates();
        for (int i = 0; i < 20; i++) {
            assertThat(p.router().encoder(THREE, "sha/clip/full")).isEqualTo(first);
        }
        // its replica holds 3 calls, the others none: past the bound max(3, ⌈1.25 × 4 / 3⌉ = 2), so the call goes on
        IntStream.range(0, 3).forEach(i -> p.loads().started(first.getFirst()));
        List<String> spilled = p.router().encoder(THREE, "sha/clip/full");
        assertThat(spilled.getFirst()).isNotEqualTo(first.getFirst());
        assertThat(spilled.getFirst()).isEqualTo(Rendezvous.order(Rendezvous.hash("sha/clip/full"), THREE).get(1));
        IntStream.range(0, 3).forEach(i -> p.loads().finished(first.getFirst()));
        // a replica that failed is skipped while ejected: the key's next replica takes it
        p.health().failed(first.getFirst());
        assertThat(p.router().encoder(THREE, "sha/clip/full").getFirst()).isEqualTo(spilled.getFirst());
    }

    @Test
    void roundRobinTakesTurns() {
        Parts p = router(RoutingSettings.Policy.ROUND_ROBIN);
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 3; i++) {
            seen.add(p.router().encoder(THREE, "same-image").getFirst());
        }
        assertThat(seen).hasSize(3);
    }

    private static GenerateRequest prompt(String image, int... ids) {
        GenerateRequest.Builder b = GenerateRequest.newBuilder();
        TokenIds.Builder head = TokenIds.newBuilder().addIds(1).addIds(2);
        b.addSegments(Segment.newBuilder().setTokens(head));
        if (image != null) {
            b.addSegments(Segment.newBuilder().setEmbeddings(Embeddings.newBuilder().setContentHash(image)));
        }
        TokenIds.Builder tail = TokenIds.newBuilder();
        for (int id : ids) {
            tail.addIds(id);
        }
        return b.addSegments(Segment.newBuilder().setTokens(tail)).build();
    }

    @Test
    void promptPrefixesShareHashesExactlyAsFarAsTheirItemsAgree() {
        PromptBlocks turn1 = PromptBlocks.of(prompt("a", 10, 11, 12, 13, 14, 15), 4);
        PromptBlocks turn2 = PromptBlocks.of(prompt("a", 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20), 4);
        PromptBlocks otherImage = PromptBlocks.of(prompt("b", 10, 11, 12, 13, 14, 15), 4);
        assertThat(turn1.prefixes()).hasSize(9); // two tokens, the image, six tokens
        assertThat(java.util.Arrays.copyOf(turn2.prefixes(), 9)).isEqualTo(turn1.prefixes());
        assertThat(turn2.prefixes()[9]).isNotEqualTo(turn1.prefixes()[8]);
        assertThat(otherImage.prefixes()[1]).isEqualTo(turn1.prefixes()[1]); // the same text before the image
        assertThat(otherImage.prefixes()[2]).isNotEqualTo(turn1.prefixes()[2]);
        // remembered at every 4th item and at the end: the end is where the next turn matches
        assertThat(turn1.servedKeys()).containsExactly(turn1.prefixes()[3], turn1.prefixes()[7], turn1.prefixes()[8]);
        // the anchor is the items up to the image, the same for every turn about it
        assertThat(turn2.anchor()).isEqualTo(turn1.anchor()).isEqualTo(turn1.prefixes()[2]);
        assertThat(otherImage.anchor()).isNotEqualTo(turn1.anchor());
        PromptBlocks textOnly = PromptBlocks.of(prompt(null, 3, 4, 5, 6, 7), 4);
        assertThat(textOnly.anchor()).isEqualTo(textOnly.prefixes()[3]);
        assertThat(PromptBlocks.of(prompt(null), 4).anchor()).isEqualTo(PromptBlocks.of(prompt(null), 4).prefixes()[1]);
    }

    @Test
    void aConversationFindsItsWholeEarlierTurnInTheIndex() {
        PrefixIndex index = new PrefixIndex(settings(RoutingSettings.Policy.CONTENT));
        PromptBlocks turn1 = PromptBlocks.of(prompt("a", 10, 11, 12, 13, 14, 15), 4);
        index.served(turn1, "r1");
        PromptBlocks turn2 = PromptBlocks.of(prompt("a", 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20), 4);
        assertThat(index.longest(turn2, Set.of("r1", "r2"))).isEqualTo(new PrefixIndex.Match("r1", 9));
        index.served(PromptBlocks.of(prompt("a", 10, 11, 12, 13), 4), "r2"); // a shorter prompt elsewhere
        assertThat(index.longest(turn2, Set.of("r1", "r2")).replica()).isEqualTo("r1"); // the longest wins
        assertThat(index.longest(turn2, Set.of("r2")).replica()).isEqualTo("r2"); // r1 gone: the next longest
        assertThat(index.longest(turn2, Set.of("r3"))).isEqualTo(PrefixIndex.Match.NONE);
    }

    @Test
    void laterTurnsGoWhereTheirPrefixIsUnlessThatReplicaIsSaturated() {
        Parts p = router(RoutingSettings.Policy.CONTENT);
        List<String> two = THREE.subList(0, 2);
        Map<String, String> served = new HashMap<>();
        for (int c = 0; c < 40; c++) {
            PromptBlocks t1 = p.router().blocks(prompt("img-" + c, 10, 11, 12, 13, 14, 15));
            String r = p.router().llm(two, t1).getFirst();
            p.router().served(t1, r);
            served.put("img-" + c, r);
        }
        assertThat(Set.copyOf(served.values())).hasSize(2); // conversations are spread
        for (int c = 0; c < 40; c++) {
            PromptBlocks t2 = p.router().blocks(prompt("img-" + c, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19));
            List<String> attempts = p.router().llm(two, t2);
            assertThat(attempts.getFirst()).as("conversation %d", c).isEqualTo(served.get("img-" + c));
            assertThat(attempts).hasSize(2).doesNotHaveDuplicates(); // the other replica if this one fails
        }
        // the prefix's replica reports a full batch and a queue: the turn goes to the one with room
        String held = served.get("img-0");
        PromptBlocks t3 = p.router().blocks(prompt("img-0", 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21));
        p.loads().reported(held, ReplicaLoad.newBuilder().setRunning(3).setQueued(1).setMaxBatch(8).build());
        assertThat(p.router().llm(two, t3).getFirst()).isEqualTo(held); // a short queue is no reason to move
        p.loads().reported(held, ReplicaLoad.newBuilder().setRunning(8).setQueued(3).setMaxBatch(8).build());
        assertThat(p.router().llm(two, t3).getFirst()).isNotEqualTo(held);
        // a draining replica takes nothing new
        p.loads().reported(held, ReplicaLoad.newBuilder().setDraining(true).setMaxBatch(8).build());
        assertThat(p.router().llm(two, t3)).doesNotContain(held);
    }
}
