package dev.fovea.gateway.backend;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Rendezvous (highest random weight) hashing: every replica gets a score from (key, replica) and the key's
 * replicas are taken by falling score. A replica that leaves moves only the keys it held, each to the replica that
 * scored next for it; one that joins takes about 1/n of the keys, and every other key stays where it was.
 */
final class Rendezvous {
    private Rendezvous() {
    }

    /** {@code replicas} ordered by their score for {@code key}, best first. */
    static List<String> order(long key, List<String> replicas) {
        List<String> out = new ArrayList<>(replicas);
        out.sort(Comparator.comparingLong((String r) -> score(key, r)).reversed().thenComparing(r -> r));
        return out;
    }

    static long score(long key, String replica) {
        return mix(key ^ mix(hash(replica)));
    }

    /** A 64-bit FNV-1a of the text's UTF-8 bytes: stable across processes and JVMs (String.hashCode is 32 bits). */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** A bijective 64-bit finalizer (the SplitMix64 constants): every input bit moves about half the output bits. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
