package dev.fovea.gateway.backend;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Which LLM replica last served each prompt block: a prompt whose leading blocks it knows goes back to the replica
 * that holds them in its prefix cache. Bounded (least recently used blocks go first), and only a guess: a replica
 * may have evicted a prefix since, and each gateway learns from its own requests.
 */
@ApplicationScoped
public class PrefixIndex {
    private final Cache<Long, String> owners;

    PrefixIndex(RoutingSettings settings) {
        owners = Caffeine.newBuilder().maximumSize(settings.prefixIndexSize()).build();
    }

    /**
     * The replica among {@code live} holding the longest known prefix of the prompt, with its length in items:
     * the prompt's prefixes are looked up from the longest down (a lookup costs tens of nanoseconds; a prompt of
     * 3,000 items, a few hundred microseconds at worst).
     */
    Match longest(PromptBlocks prompt, Set<String> live) {
        long[] prefixes = prompt.prefixes();
        for (int i = prefixes.length - 1; i >= 0; i--) {
            String owner = owners.getIfPresent(prefixes[i]);
            if (owner != null && live.contains(owner)) {
                return new Match(owner, i + 1);
            }
        }
        return Match.NONE;
    }

    /** The prompt is now in {@code replica}'s cache. */
    void served(PromptBlocks prompt, String replica) {
        for (long h : prompt.servedKeys()) {
            owners.put(h, replica);
        }
    }

    record Match(String replica, int items) {
        static final Match NONE = new Match(null, 0);
    }
}
