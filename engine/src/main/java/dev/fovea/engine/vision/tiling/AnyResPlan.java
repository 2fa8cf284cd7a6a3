package dev.fovea.engine.vision.tiling;

import java.util.ArrayList;
import java.util.List;

/**
 * LLaVA-1.6 "AnyRes" tiling of one image. The encoder inputs, in order, are the base view (the whole image
 * resized to {@code tileSize × tileSize}, aspect ratio not kept, as LLaVA and llama.cpp do) and then the
 * {@code tileRows × tileCols} crops, row-major, of the canvas: the image resized to {@code resized} (aspect kept)
 * and pasted centred at ({@code padX}, {@code padY}) on a black {@code best}-sized canvas. Every input is
 * independent, so they may be encoded on different replicas.
 */
public record AnyResPlan(Resolution original, Resolution best, Resolution resized, int padX, int padY, int tileSize,
                         int tileRows, int tileCols) {

    /** Number of encoder inputs: the base view plus the tiles. */
    public int inputCount() {
        return 1 + tileRows * tileCols;
    }

    /** The crops of the canvas, row-major (encoder inputs 1..n). */
    public List<TileRegion> tiles() {
        List<TileRegion> l = new ArrayList<>(tileRows * tileCols);
        for (int r = 0; r < tileRows; r++) {
            for (int c = 0; c < tileCols; c++) {
                l.add(new TileRegion(r, c, c * tileSize, r * tileSize, tileSize, tileSize));
            }
        }
        return l;
    }

    /** The encoder inputs in plan order: base view first, then the tiles. */
    public <I> List<I> render(I image, TileImageOps<I> ops) {
        if (ops.width(image) != original.width() || ops.height(image) != original.height()) {
            throw new IllegalArgumentException("plan is for a " + original + " image, got "
                    + ops.width(image) + "×" + ops.height(image));
        }
        List<I> inputs = new ArrayList<>(inputCount());
        inputs.add(ops.resize(image, tileSize, tileSize));
        I canvas = ops.pad(ops.resize(image, resized.width(), resized.height()), best.width(), best.height(), padX, padY);
        for (TileRegion t : tiles()) {
            inputs.add(ops.crop(canvas, t.x(), t.y(), t.width(), t.height()));
        }
        return inputs;
    }

    /**
     * The rows and columns of the assembled {@code (tileRows·featureRows) × (tileCols·featureCols)} feature grid
     * that show the image rather than padding, by LLaVA's {@code unpad_image}: when the image is wider than the
     * grid, keep {@code new = ⌊H·W_grid/W⌉₇} rows, else {@code new = ⌊W·H_grid/H⌉₇} columns (⌊⌉₇: rounded to 7
     * decimals, then truncated, as transformers does against float error), and drop {@code (size − new) / 2}
     * (integer division) from each side, so an odd remainder keeps one extra row or column.
     */
    public FeatureWindow unpadded(int featureRows, int featureCols) {
        if (featureRows <= 0 || featureCols <= 0) {
            throw new IllegalArgumentException("feature grid must be positive, got " + featureRows + "×" + featureCols);
        }
        int rows = tileRows * featureRows, cols = tileCols * featureCols;
        double originalAspect = (double) original.width() / original.height();
        double gridAspect = (double) cols / rows;
        if (originalAspect > gridAspect) {
            int kept = truncate7((double) original.height() * ((double) cols / original.width()));
            int pad = (rows - kept) / 2;
            return new FeatureWindow(rows, cols, pad, rows - pad, 0, cols);
        }
        int kept = truncate7((double) original.width() * ((double) rows / original.height()));
        int pad = (cols - kept) / 2;
        return new FeatureWindow(rows, cols, 0, rows, pad, cols - pad);
    }

    private static int truncate7(double v) {
        return (int) (Math.round(v * 1e7) / 1e7);
    }

    /** Rows {@code [rowFrom, rowTo)} and columns {@code [colFrom, colTo)} of a {@code rows × cols} feature grid. */
    public record FeatureWindow(int rows, int cols, int rowFrom, int rowTo, int colFrom, int colTo) {
        public int keptRows() {
            return rowTo - rowFrom;
        }

        public int keptCols() {
            return colTo - colFrom;
        }
    }
}
