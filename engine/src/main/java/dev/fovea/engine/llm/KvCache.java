package dev.fovea.engine.llm;

/**
 * The keys and values of one sequence, F32, for every layer and position up to its capacity. Positions are filled
 * in order; {@link #length()} is the number of positions already computed. Memory follows the positions used, not
 * the capacity: the arrays are allocated as positions are appended (doubling, at most the capacity), so a request
 * that may run to the whole context but stops early never holds the whole context.
 */
public final class KvCache {
    /** Positions allocated beyond the first need, so that the next tokens do not each grow the arrays. */
    private static final int HEADROOM = 64;

    private final int capacity;
    private final int kvDim;
    private final float[][] keys;
    private final float[][] values;
    /**
     * With multi-section positions (M-RoPE) only: each entry's temporal position (a query sees the keys whose
     * temporal position is not later than its own; an image's rows share one) and the text position that follows it.
     * A single-stream model's position is the entry's index, so it records nothing here.
     */
    private int[] temporal = new int[0];
    private int[] following = new int[0];
    /** Positions the arrays hold room for. */
    private int allocated;
    private int length;

    public KvCache(LlmConfig config, int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("KV cache capacity must be positive");
        }
        this.capacity = capacity;
        this.kvDim = config.kvDim();
        long floats = (long) capacity * kvDim;
        if (floats > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("KV cache of " + capacity + " positions is too large for one layer array");
        }
        this.keys = new float[config.blockCount()][0];
        this.values = new float[config.blockCount()][0];
    }

    /**
     * Makes room for {@code positions} positions in all (at most the capacity). Called before positions are
     * written; array references taken from {@link #keys}/{@link #values} before a call are stale after it.
     */
    void reserve(int positions) {
        if (positions > capacity) {
            throw new IllegalArgumentException(positions + " positions exceed the KV cache of " + capacity);
        }
        if (positions <= allocated) {
            return;
        }
        int size = (int) Math.min(capacity, Math.max((long) positions + HEADROOM, 2L * allocated));
        for (int l = 0; l < keys.length; l++) {
            keys[l] = java.util.Arrays.copyOf(keys[l], size * kvDim);
            values[l] = java.util.Arrays.copyOf(values[l], size * kvDim);
        }
        temporal = java.util.Arrays.copyOf(temporal, size);
        following = java.util.Arrays.copyOf(following, size);
        allocated = size;
    }

    public int capacity() {
        return capacity;
    }

    /** Positions computed so far. */
    public int length() {
        return length;
    }

    /** Forgets positions from {@code newLength} on (to reuse a shared prefix or rewind). */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate KV cache of length " + length + " to " + newLength);
        }
        length = newLength;
    }

    /**
     * Makes this cache hold the first {@code n} positions of {@code source} (a shared prompt prefix), replacing
     * whatever it held. The copied keys and values are the ones a recomputation would give, bit for bit.
     */
    public void copyPrefixFrom(KvCache source, int n) {
        if (source.kvDim != kvDim || source.keys.length != keys.length) {
            throw new IllegalArgumentException("KV caches of different models");
        }
        if (n < 0 || n > source.length || n > capacity) {
            throw new IllegalArgumentException("cannot copy " + n + " positions from a cache of length "
                    + source.length + " into one of capacity " + capacity);
        }
        reserve(n);
        for (int l = 0; l < keys.length; l++) {
            System.arraycopy(source.keys[l], 0, keys[l], 0, n * kvDim);
            System.arraycopy(source.values[l], 0, values[l], 0, n * kvDim);
        }
        System.arraycopy(source.temporal, 0, temporal, 0, n);
        System.arraycopy(source.following, 0, following, 0, n);
        length = n;
    }

    /** Bytes held by this cache now (at most {@link #maxBytes}). */
    public long bytes() {
        return 2L * keys.length * allocated * kvDim * Float.BYTES;
    }

    /** Bytes this cache holds once full: what a budget must reserve for it. */
    public long maxBytes() {
        return 2L * keys.length * capacity * kvDim * Float.BYTES;
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    /** The text position of the next entry of a multi-section model: 0 for an empty cache. */
    int nextPosition() {
        return length == 0 ? 0 : following[length - 1];
    }

    /** Temporal position of entry {@code j}. */
    int temporal(int j) {
        return temporal[j];
    }

    /** Records entry {@code j}'s temporal position and the text position that follows it. */
    void setPositions(int j, int temporalPosition, int followingPosition) {
        temporal[j] = temporalPosition;
        following[j] = followingPosition;
    }

    int kvDim() {
        return kvDim;
    }

    void advance(int n) {
        length += n;
    }
}
