package dev.fovea.gateway.backend;

import dev.fovea.proto.v1.GenerateRequest;
import dev.fovea.proto.v1.Segment;
import java.util.Arrays;

/**
 * A prompt as chained hashes, the keys of the prefix index: the prompt is a run of items (each token id, and each
 * image as one item standing for its content hash) and {@code prefixes[i]} hashes items 0..i, so two prompts share
 * {@code prefixes[i]} exactly when they share their first i + 1 items. A served prompt is remembered at every
 * {@code blockSize}-th item and at its end — the end is where the conversation's next turn will match it.
 *
 * @param prefixes  the running hash after each item
 * @param blockSize how often a served prompt is remembered along its length
 * @param anchor    the rendezvous key for a prompt no replica is known to hold: the items up to its first image
 *                  when that comes within the first block (every turn of a conversation about an image shares
 *                  them), else the first block, or all of a prompt shorter than one block
 */
public record PromptBlocks(long[] prefixes, int blockSize, long anchor) {
    private static final long SEED = 0x6a09e667f3bcc909L;

    public static PromptBlocks of(GenerateRequest request, int blockSize) {
        long[] prefixes = new long[64];
        int n = 0;
        int firstImage = -1;
        long h = SEED;
        for (Segment s : request.getSegmentsList()) {
            if (s.hasTokens()) {
                for (int id : s.getTokens().getIdsList()) {
                    h = Rendezvous.mix(h * 0x9e3779b97f4a7c15L + id);
                    prefixes = grow(prefixes, n);
                    prefixes[n++] = h;
                }
            } else if (s.hasEmbeddings()) {
                // the content hash names the image and everything that shaped its rows (model, encoders, tiling)
                h = Rendezvous.mix(h * 0x9e3779b97f4a7c15L + Rendezvous.hash(s.getEmbeddings().getContentHash()));
                prefixes = grow(prefixes, n);
                if (firstImage < 0) {
                    firstImage = n;
                }
                prefixes[n++] = h;
            }
        }
        prefixes = Arrays.copyOf(prefixes, n);
        long anchor = n == 0 ? SEED : firstImage >= 0 && firstImage < blockSize ? prefixes[firstImage]
                : prefixes[Math.min(blockSize, n) - 1];
        return new PromptBlocks(prefixes, blockSize, anchor);
    }

    private static long[] grow(long[] a, int used) {
        return used < a.length ? a : Arrays.copyOf(a, a.length * 2);
    }

    /** The keys a served prompt is remembered by: every block's end, and the prompt's own end. */
    long[] servedKeys() {
        int n = prefixes.length;
        if (n == 0) {
            return new long[0];
        }
        long[] out = new long[n / blockSize + 1];
        int k = 0;
        for (int i = blockSize - 1; i < n; i += blockSize) {
            out[k++] = prefixes[i];
        }
        if (n % blockSize != 0) {
            out[k++] = prefixes[n - 1];
        }
        return Arrays.copyOf(out, k);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PromptBlocks b && b.anchor == anchor && b.blockSize == blockSize
                && Arrays.equals(b.prefixes, prefixes);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(anchor) * 31 + Arrays.hashCode(prefixes);
    }

    @Override
    public String toString() {
        return "PromptBlocks[" + prefixes.length + " items]";
    }
}
