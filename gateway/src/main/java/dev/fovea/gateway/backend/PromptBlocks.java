package dev.fovea.gateway.backend;

import dev.fovea.proto.v1.GenerateRequest;
import dev.fovea.proto.v1.Segment;
import java.util.Arrays;

/**
 * A prompt as chained hashes of its leading blocks, the keys of the prefix index: the prompt is a run of items
 * (each token id, and each image as one item standing for its content hash), cut into blocks of {@code size}
 * items; block {@code i}'s hash covers every item before its end, so two prompts share block {@code i}'s hash
 * exactly when they share those items. A trailing partial block gets no hash (the next turn will not end there).
 *
 * @param chain  the block hashes, in prompt order
 * @param anchor the rendezvous key for a prompt no replica is known to hold: the first block, or for a prompt
 *               shorter than one block all of it
 */
public record PromptBlocks(long[] chain, long anchor) {
    private static final long SEED = 0x6a09e667f3bcc909L;

    public static PromptBlocks of(GenerateRequest request, int size) {
        long[] chain = new long[16];
        int blocks = 0;
        long h = SEED;
        int inBlock = 0;
        for (Segment s : request.getSegmentsList()) {
            if (s.hasTokens()) {
                for (int id : s.getTokens().getIdsList()) {
                    h = Rendezvous.mix(h * 0x9e3779b97f4a7c15L + id);
                    if (++inBlock == size) {
                        chain = grow(chain, blocks);
                        chain[blocks++] = h;
                        inBlock = 0;
                    }
                }
            } else if (s.hasEmbeddings()) {
                // the content hash names the image and everything that shaped its rows (model, encoders, tiling)
                h = Rendezvous.mix(h * 0x9e3779b97f4a7c15L + Rendezvous.hash(s.getEmbeddings().getContentHash()));
                if (++inBlock == size) {
                    chain = grow(chain, blocks);
                    chain[blocks++] = h;
                    inBlock = 0;
                }
            }
        }
        long[] out = Arrays.copyOf(chain, blocks);
        return new PromptBlocks(out, blocks > 0 ? out[0] : h);
    }

    private static long[] grow(long[] a, int used) {
        return used < a.length ? a : Arrays.copyOf(a, a.length * 2);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PromptBlocks b && b.anchor == anchor && Arrays.equals(b.chain, chain);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(anchor) * 31 + Arrays.hashCode(chain);
    }

    @Override
    public String toString() {
        return "PromptBlocks[" + chain.length + " blocks]";
    }
}
