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

    /**
     * {@code count} rows of model-width embeddings, row-major. An image for a model with multi-section positions
     * (Qwen2-VL's M-RoPE) also gives its grid, {@code gridHeight × gridWidth = count} in raster order, from which
     * each row takes its height and width positions; {@code 0 × 0} is a plain run of rows.
     */
    record Embeddings(float[] data, int count, int gridHeight, int gridWidth) implements Segment {
        public Embeddings {
            if (count < 0 || (count > 0 && data.length % count != 0)) {
                throw new IllegalArgumentException("embedding data of " + data.length + " floats is not " + count
                        + " rows");
            }
            if (gridHeight < 0 || gridWidth < 0 || (gridHeight != 0 || gridWidth != 0)
                    && (long) gridHeight * gridWidth != count) {
                throw new IllegalArgumentException("an image grid of " + gridHeight + "×" + gridWidth + " for "
                        + count + " rows");
            }
        }

        public Embeddings(float[] data, int count) {
            this(data, count, 0, 0);
        }

        /** Whether the rows carry an image grid. */
        public boolean gridded() {
            return gridWidth > 0;
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
