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

    /** The replica among {@code live} holding the longest known prefix of the prompt, with its length in blocks. */
    Match longest(PromptBlocks prompt, Set<String> live) {
        Match best = Match.NONE;
        for (int i = 0; i < prompt.chain().length; i++) {
            String owner = owners.getIfPresent(prompt.chain()[i]);
            if (owner == null) {
                break; // block i's hash covers all before it: nothing later can be held where this is not
            }
            if (live.contains(owner)) {
                best = new Match(owner, i + 1);
            }
        }
        return best;
    }

    /** The prompt's blocks are now in {@code replica}'s cache. */
    void served(PromptBlocks prompt, String replica) {
        for (long h : prompt.chain()) {
            owners.put(h, replica);
        }
    }

    record Match(String replica, int blocks) {
        static final Match NONE = new Match(null, 0);
    }
}
