package dev.fovea.engine.vision.tiling;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufTensorInfo;
import dev.fovea.engine.layers.GgufTensors;
import dev.fovea.engine.vision.FeatureMap;
import java.util.List;

/**
 * Builds LLaVA-1.6's image embeddings ("spatial_unpad" with newline) from the projector outputs of an
 * {@link AnyResPlan}'s inputs: the base view's tokens, then the tiles' features stitched into one grid,
 * cut to {@link AnyResPlan#unpadded}, read row by row with the newline embedding after each row.
 *
 * <p>Tile outputs keep their 2-D grid when the projector reports one; a sequence (grid {@code 1 × n}, n > 1)
 * is read as a square grid, since a tile is square.
 */
public final class AnyResAssembler {
    /** llama.cpp's name of LLaVA-1.6's newline embedding in the mmproj file ([n_embd]). */
    public static final String NEWLINE_TENSOR = "model.image_newline";

    private AnyResAssembler() {
    }

    /** The newline embedding of an mmproj file, or null when it has none. */
    public static float[] readNewline(GgufFile f) throws GgufFormatException {
        GgufTensorInfo t = f.findTensor(NEWLINE_TENSOR).orElse(null);
        if (t == null) {
            return null;
        }
        if (t.rowCount() != 1 || t.rowLength() > Integer.MAX_VALUE) {
            throw new GgufFormatException(f.path().getFileName() + ": " + NEWLINE_TENSOR + " must be a vector");
        }
        return GgufTensors.rowTable(f, t).dequantize();
    }

    /** Output token count for a base of {@code baseTokens} and tiles of {@code featureRows × featureCols} tokens. */
    public static int outputTokens(AnyResPlan plan, int baseTokens, int featureRows, int featureCols, boolean newline) {
        AnyResPlan.FeatureWindow w = plan.unpadded(featureRows, featureCols);
        return Math.addExact(baseTokens, Math.multiplyExact(w.keptRows(), w.keptCols() + (newline ? 1 : 0)));
    }

    /**
     * llama.cpp's LLaVA-1.6 layout (its {@code clip_llava_handle_patches}): the base view's tokens, then the tiles'
     * features stitched into one grid and read row by row in full — no unpadding and no newline embedding
     * ({@code (tileRows·featureRows) × (tileCols·featureCols)} tokens). Hugging Face's ({@link #assemble}) is the default.
     */
    public static FeatureMap assembleLlamaCpp(AnyResPlan plan, List<FeatureMap> projected) {
        int[] g = checkTiles(plan, projected);
        int fh = g[0], fw = g[1];
        FeatureMap base = projected.getFirst();
        int dim = base.dim();
        int rows = plan.tileRows() * fh;
        int cols = plan.tileCols() * fw;
        int tokens = Math.addExact(base.tokens(), Math.multiplyExact(rows, cols));
        float[] out = new float[Math.multiplyExact(tokens, dim)];
        System.arraycopy(base.data(), 0, out, 0, base.data().length);
        int pos = base.data().length;
        for (int row = 0; row < rows; row++) {
            for (int col = 0; col < cols; col++) {
                FeatureMap tile = projected.get(1 + (row / fh) * plan.tileCols() + col / fw);
                System.arraycopy(tile.data(), ((row % fh) * fw + col % fw) * dim, out, pos, dim);
                pos += dim;
            }
        }
        return FeatureMap.sequence(out, tokens, dim);
    }

    /** The tiles' common feature grid, after checking every output against the plan and the base's width. */
    private static int[] checkTiles(AnyResPlan plan, List<FeatureMap> projected) {
        if (projected.size() != plan.inputCount()) {
            throw new IllegalArgumentException("plan has " + plan.inputCount() + " inputs, got " + projected.size() + " outputs");
        }
        int dim = projected.getFirst().dim();
        int[] tileGrid = gridOf(projected.get(1));
        for (int i = 1; i < projected.size(); i++) {
            FeatureMap t = projected.get(i);
            int[] g = gridOf(t);
            if (t.dim() != dim || g[0] != tileGrid[0] || g[1] != tileGrid[1]) {
                throw new IllegalArgumentException("tile " + (i - 1) + " is " + g[0] + "×" + g[1] + "×" + t.dim()
                        + ", expected " + tileGrid[0] + "×" + tileGrid[1] + "×" + dim);
            }
        }
        return tileGrid;
    }

    /**
     * @param projected projector outputs in plan order: the base view, then the tiles row-major
     * @param newline   the newline embedding (width = the outputs' width), or null to add none
     * @return the final embeddings as a sequence
     */
    public static FeatureMap assemble(AnyResPlan plan, List<FeatureMap> projected, float[] newline) {
        int[] tileGrid = checkTiles(plan, projected);
        int fh = tileGrid[0], fw = tileGrid[1];
        FeatureMap base = projected.getFirst();
        int dim = base.dim();
        if (newline != null && newline.length != dim) {
            throw new IllegalArgumentException("newline embedding of " + newline.length + " for outputs of width " + dim);
        }
        AnyResPlan.FeatureWindow w = plan.unpadded(fh, fw);
        int tokens = outputTokens(plan, base.tokens(), fh, fw, newline != null);
        float[] out = new float[Math.multiplyExact(tokens, dim)];
        System.arraycopy(base.data(), 0, out, 0, base.data().length);
        int pos = base.data().length;
        for (int row = w.rowFrom(); row < w.rowTo(); row++) {
            for (int col = w.colFrom(); col < w.colTo(); col++) {
                FeatureMap tile = projected.get(1 + (row / fh) * plan.tileCols() + col / fw);
                System.arraycopy(tile.data(), ((row % fh) * fw + col % fw) * dim, out, pos, dim);
                pos += dim;
            }
            if (newline != null) {
                System.arraycopy(newline, 0, out, pos, dim);
                pos += dim;
            }
        }
        return FeatureMap.sequence(out, tokens, dim);
    }

    private static int[] gridOf(FeatureMap f) {
        if (f.gridHeight() == 1 && f.tokens() > 1) {
            int side = (int) Math.round(Math.sqrt(f.tokens()));
            if (side * side != f.tokens()) {
                throw new IllegalArgumentException("tile output of " + f.tokens() + " tokens has no grid and is not square");
            }
            return new int[] {side, side};
        }
        return new int[] {f.gridHeight(), f.gridWidth()};
    }
}
