package dev.fovea.gateway.backend;

import dev.fovea.gateway.GatewayMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * Chooses the replica for each call, so caches survive scaling out:
 * <ul>
 *   <li>an image's encoder call goes to the replica its key (image hash, encoder, view) picks by rendezvous
 *   hashing, unless that replica holds more than its share of calls in flight (consistent hashing with bounded
 *   loads), then to the next in the key's order; so each image is encoded, and cached, on one replica;</li>
 *   <li>a prompt goes to the LLM replica that served its longest known prefix (its prefix cache holds it) unless
 *   that replica is saturated while another is not; a prompt with no known prefix is placed like an image, by its
 *   first block, under the load bound;</li>
 *   <li>calls that need no particular replica (Describe, Tokenize, Embed) go to the least busy one.</li>
 * </ul>
 * Each answer is a list of attempts: the choice first, then where to go if it fails. Replicas come from
 * {@link ReplicaDiscovery}; those {@link ReplicaHealth} rules out and LLM replicas that drain are skipped.
 */
@ApplicationScoped
public class ReplicaRouter {
    private final ReplicaDiscovery discovery;
    private final ReplicaHealth health;
    private final ReplicaLoads loads;
    private final PrefixIndex prefixes;
    private final GrpcChannels channels;
    private final GatewayMetrics metrics;
    private final RoutingSettings settings;

    ReplicaRouter(ReplicaDiscovery discovery, ReplicaHealth health, ReplicaLoads loads, PrefixIndex prefixes,
                  GrpcChannels channels, GatewayMetrics metrics, RoutingSettings settings) {
        this.discovery = discovery;
        this.health = health;
        this.loads = loads;
        this.prefixes = prefixes;
        this.channels = channels;
        this.metrics = metrics;
        this.settings = settings;
    }

    /** Where an encoder call for {@code key} goes: its replica, then one other (a failed call is retried once). */
    public List<String> encoder(List<String> configured, String key) {
        List<String> live = health.usable(discovery.replicas(configured));
        if (settings.policy() == RoutingSettings.Policy.ROUND_ROBIN || live.size() == 1) {
            return roundRobin("encoder", live, 2);
        }
        List<String> order = Rendezvous.order(Rendezvous.hash(key), live);
        int bound = Math.max(settings.minLoadBound(),
                ReplicaLoads.bound(loads.total(live, false), live.size(), settings.loadFactor()));
        String chosen = order.getFirst();
        for (String r : order) {
            if (loads.inFlight(r) < bound) {
                chosen = r;
                break;
            }
        }
        metrics.routed("encoder", chosen.equals(order.getFirst()) ? "hashed" : "spilled");
        return attempts(chosen, order, 2);
    }

    /** Where a prompt goes: see the class comment; then every other live replica, in the prompt's hash order. */
    public List<String> llm(List<String> configured, PromptBlocks prompt) {
        List<String> live = llmLive(configured);
        if (settings.policy() == RoutingSettings.Policy.ROUND_ROBIN || live.size() == 1) {
            return roundRobin("llm", live, live.size());
        }
        List<String> order = Rendezvous.order(prompt.anchor(), live);
        PrefixIndex.Match match = prefixes.longest(prompt, new HashSet<>(live));
        String chosen = null;
        String decision;
        if (match.replica() != null && (!loads.saturated(match.replica()) || allSaturated(live))) {
            chosen = match.replica();
            decision = "prefix";
        } else {
            int bound = Math.max(settings.minLoadBound(),
                    ReplicaLoads.bound(loads.total(live, true), live.size(), settings.loadFactor()));
            for (String r : order) {
                if (loads.llmLoad(r) < bound && !loads.saturated(r)) {
                    chosen = r;
                    break;
                }
            }
            if (chosen == null) {
                chosen = leastBusy(order, true);
            }
            decision = chosen.equals(order.getFirst()) && match.replica() == null ? "hashed" : "spilled";
        }
        metrics.routed("llm", decision);
        return attempts(chosen, order, live.size());
    }

    /** The prompt's keys for the prefix index. */
    public PromptBlocks blocks(dev.fovea.proto.v1.GenerateRequest request) {
        return PromptBlocks.of(request, settings.prefixBlockTokens());
    }

    /** The prompt's blocks are now cached at {@code replica} (its stream started there). */
    public void served(PromptBlocks prompt, String replica) {
        prefixes.served(prompt, replica);
    }

    /** Where a call any LLM replica can answer goes: the least busy first, then the others. */
    public List<String> anyLlm(List<String> configured) {
        List<String> live = llmLive(configured);
        String chosen = leastBusy(live, true);
        return attempts(chosen, live, Math.min(2, live.size()));
    }

    private List<String> llmLive(List<String> configured) {
        List<String> usable = health.usable(discovery.replicas(configured));
        List<String> open = usable.stream().filter(r -> !loads.draining(r)).toList();
        return open.isEmpty() ? usable : open;
    }

    private boolean allSaturated(List<String> live) {
        return live.stream().allMatch(loads::saturated);
    }

    private String leastBusy(List<String> replicas, boolean llm) {
        String best = replicas.getFirst();
        int bestLoad = Integer.MAX_VALUE;
        for (String r : replicas) {
            int load = llm ? loads.llmLoad(r) : loads.inFlight(r);
            if (load < bestLoad) {
                best = r;
                bestLoad = load;
            }
        }
        return best;
    }

    private List<String> roundRobin(String backend, List<String> live, int count) {
        String first = channels.nextReplica(live);
        metrics.routed(backend, live.size() == 1 ? "single" : "round-robin");
        return attempts(first, live, count);
    }

    /** {@code chosen}, then the others in {@code order}, {@code count} in all. */
    private static List<String> attempts(String chosen, List<String> order, int count) {
        List<String> out = new ArrayList<>(count);
        out.add(chosen);
        for (String r : order) {
            if (out.size() >= count) {
                break;
            }
            if (!r.equals(chosen)) {
                out.add(r);
            }
        }
        return out;
    }
}
