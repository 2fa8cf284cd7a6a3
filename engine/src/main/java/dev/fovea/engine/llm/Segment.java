package dev.fovea.engine.llm;

/** A run of input positions: either token ids or precomputed embeddings (e.g. an image's projector output). */
public sealed interface Segment {

    /** Number of positions this segment occupies. */
    int length();

    /** Token ids, looked up in the token embedding. */
    record Tokens(int[] ids) implements Segment {
        @Override
        public int length() {
            return ids.length;
        }
    }

    /** {@code count} rows of model-width embeddings, row-major. */
    record Embeddings(float[] data, int count) implements Segment {
        public Embeddings {
            if (count < 0 || (count > 0 && data.length % count != 0)) {
                throw new IllegalArgumentException("embedding data of " + data.length + " floats is not " + count
                        + " rows");
            }
        }

        @Override
        public int length() {
            return count;
        }
    }

    static Segment tokens(int... ids) {
        return new Tokens(ids);
    }

    static Segment embeddings(float[] data, int count) {
        return new Embeddings(data, count);
    }
}
