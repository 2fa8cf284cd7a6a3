package dev.fovea.engine.pipeline;

import dev.fovea.engine.llm.KvCache;
import dev.fovea.engine.llm.Segment;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * KV caches of finished sequences, found again by their positions' content. Each position's key is a hash chained
 * over all positions before it: a token by its id, an embedding row by its float bits — so an image's embeddings
 * are recognized by content, and a second chat turn about the same image reuses its positions instead of
 * recomputing them. Least recently used entries are dropped beyond a byte budget. Not thread-safe: owned by one
 * scheduler thread.
 */
final class PrefixCache {
    private record Entry(long[] hashes, KvCache cache) {
    }

    /** A reusable prefix: the first {@code positions} positions of {@code cache}. */
    record Hit(KvCache cache, int positions) {
    }

    private final long maxBytes;
    private final LinkedHashMap<Long, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    PrefixCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Chained hashes of the input's positions. */
    static long[] hashes(List<Segment> input) {
        int n = input.stream().mapToInt(Segment::length).sum();
        long[] out = new long[n];
        long h = 0x9E3779B97F4A7C15L;
        int i = 0;
        for (Segment s : input) {
            switch (s) {
                case Segment.Tokens t -> {
                    for (int id : t.ids()) {
                        h = mix(h, id);
                        out[i++] = h;
                    }
                }
                case Segment.Embeddings e -> {
                    int width = e.count() == 0 ? 0 : e.data().length / e.count();
                    for (int r = 0; r < e.count(); r++) {
                        h = mix(h, 0x5EEDL); // an embedding row never hashes like a token
                        for (int c = r * width; c < (r + 1) * width; c++) {
                            h = mix(h, Float.floatToRawIntBits(e.data()[c]));
                        }
                        out[i++] = h;
                    }
                }
            }
        }
        return out;
    }

    static long extend(long previous, int token) {
        return mix(previous, token);
    }

    private static long mix(long h, long v) {
        long x = (h ^ v) * 0xBF58476D1CE4E5B9L;
        x ^= x >>> 31;
        x *= 0x94D049BB133111EBL;
        return x ^ (x >>> 29);
    }

    /** The longest stored prefix of {@code hashes}, at most {@code limit} positions; null when none. */
    Hit lookup(long[] hashes, int limit) {
        Entry best = null;
        int bestLen = 0;
        for (Entry e : entries.values()) {
            int n = Math.min(Math.min(e.hashes.length, hashes.length), limit);
            int common = 0;
            while (common < n && e.hashes[common] == hashes[common]) {
                common++;
            }
            if (common > bestLen) {
                best = e;
                bestLen = common;
            }
        }
        if (best == null) {
            return null;
        }
        entries.get(best.hashes[best.hashes.length - 1]); // touch for LRU order
        return new Hit(best.cache, bestLen);
    }

    /** Keeps {@code cache} (holding exactly the positions of {@code hashes}) for later lookups. */
    void store(long[] hashes, KvCache cache) {
        if (hashes.length == 0 || hashes.length != cache.length() || cache.bytes() > maxBytes) {
            return;
        }
        Entry old = entries.put(hashes[hashes.length - 1], new Entry(hashes, cache));
        if (old != null) {
            bytes -= old.cache.bytes();
        }
        bytes += cache.bytes();
        // an entry that is a prefix of the new one is now redundant
        List<Long> redundant = new ArrayList<>();
        for (var e : entries.entrySet()) {
            long[] h = e.getValue().hashes;
            if (h.length < hashes.length && h[h.length - 1] == hashes[h.length - 1]) {
                redundant.add(e.getKey());
            }
        }
        for (Long k : redundant) {
            bytes -= entries.remove(k).cache.bytes();
        }
        Iterator<Entry> lru = entries.values().iterator();
        while (bytes > maxBytes && lru.hasNext()) {
            bytes -= lru.next().cache.bytes();
            lru.remove();
        }
    }

    int size() {
        return entries.size();
    }

    long bytes() {
        return bytes;
    }
}
