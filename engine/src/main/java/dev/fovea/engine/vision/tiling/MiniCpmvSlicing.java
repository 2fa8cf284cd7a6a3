package dev.fovea.engine.vision.tiling;

import java.util.ArrayList;
import java.util.List;

/**
 * MiniCPM-V's image slicing (LLaVA-UHD's, as llama.cpp build 4748's {@code uhd_slice_image} computes it, with its
 * float arithmetic): a source view of the whole image near {@code scale²} pixels, and, for an image of more than
 * {@code scale²} pixels, a {@code cols × rows} grid of slices of the image resized to the refine size. Every size is
 * a multiple of the patch size, aspect ratio about kept. Defaults: scale 448, patch 14, at most 9 slices.
 *
 * <ol>
 *   <li>{@code ratio = W·H/scale²}, {@code multiple = min(⌈ratio⌉, maxSlices)}.</li>
 *   <li>Best size of (w, h) (upscaling allowed, or when {@code w·h > scale²}): {@code r = w/h},
 *       {@code h' = ⌊scale/√r⌋}, {@code w' = ⌊h'·r⌋}; each side rounded to the nearest multiple of the patch
 *       ({@code max(round(side/patch)·patch, patch)}).</li>
 *   <li>{@code multiple ≤ 1}: the source view alone, at the best size of (W, H) with upscaling.</li>
 *   <li>Else the source view at the best size without upscaling, then the grid: among the factorizations
 *       {@code (m, n/m)} of {@code n ∈ {multiple−1, multiple, multiple+1}} (n ≠ 1, n ≤ maxSlices), in that order,
 *       the first with the least {@code |log(W/H) − log(m/(n/m))|}; m is the number of columns. Refine size:
 *       W and H rounded to multiples of cols and rows, one cell's best size (upscaling allowed) times the grid.
 *       Slices are the cells of the image resized to the refine size, row by row.</li>
 * </ol>
 *
 * @param scale     scale resolution (448)
 * @param patch     patch size (14)
 * @param maxSlices most slices (9)
 */
public record MiniCpmvSlicing(int scale, int patch, int maxSlices) {
    /** llama.cpp's values for MiniCPM-V 2.5 / 2.6. */
    public static final MiniCpmvSlicing LLAMA_CPP = new MiniCpmvSlicing(448, 14, 9);

    public MiniCpmvSlicing {
        if (scale <= 0 || patch <= 0 || maxSlices <= 0) {
            throw new IllegalArgumentException("slicing needs positive sizes: " + scale + ", " + patch + ", " + maxSlices);
        }
    }

    /**
     * Where an image's encoder inputs come from.
     *
     * @param source  the source view's size (the whole image resized)
     * @param cols    slice columns (0 when there are no slices)
     * @param rows    slice rows (0 when there are no slices)
     * @param refine  the size the image is resized to before being cut into {@code cols × rows} slices (null without)
     */
    public record Plan(Resolution source, int cols, int rows, Resolution refine) {
        /** Encoder inputs: the source view, then the slices row by row. */
        public int inputCount() {
            return 1 + cols * rows;
        }

        /** One slice's size (null without slices). */
        public Resolution slice() {
            return refine == null ? null : new Resolution(refine.width() / cols, refine.height() / rows);
        }

        /**
         * The image's place in the prompt as llama.cpp's {@code minicpmv-cli} (build 4748) writes it: the source view
         * between {@code <image>} and {@code </image>}; with slices, then {@code <slice>}, each slice between
         * {@code <image>} and {@code </image>} row by row with {@code "\n"} after a row's last slice, and
         * {@code </slice>}. The text pieces are tokenized as text (each a string of its own there, the first
         * {@code <image>} joined to the user turn's opening, e.g. {@code "<|im_start|>user\n<image>"} for 2.6).
         */
        public List<Piece> llamaCppLayout() {
            List<Piece> out = new ArrayList<>();
            out.add(new Piece.Text("<image>"));
            out.add(new Piece.Input(0));
            out.add(new Piece.Text("</image>"));
            if (refine != null) {
                out.add(new Piece.Text("<slice>"));
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        out.add(new Piece.Text("<image>"));
                        out.add(new Piece.Input(1 + r * cols + c));
                        out.add(new Piece.Text("</image>"));
                    }
                    out.add(new Piece.Text("\n"));
                }
                out.add(new Piece.Text("</slice>"));
            }
            return out;
        }

        /** The encoder inputs of {@code image} in order: the source view, then the slices row by row. */
        public <I> List<I> render(I image, TileImageOps<I> ops) {
            List<I> out = new ArrayList<>(inputCount());
            out.add(ops.resize(image, source.width(), source.height()));
            if (refine != null) {
                I refined = ops.resize(image, refine.width(), refine.height());
                Resolution s = slice();
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        out.add(ops.crop(refined, c * s.width(), r * s.height(), s.width(), s.height()));
                    }
                }
            }
            return out;
        }
    }

    /** A piece of an image's prompt layout: wrapper text, or the resampled rows of one encoder input. */
    public sealed interface Piece {
        record Text(String text) implements Piece {
        }

        /** The rows of encoder input {@code index} (0 = the source view, then the slices row by row). */
        record Input(int index) implements Piece {
        }
    }

    public Plan plan(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "×" + height);
        }
        float logRatio = (float) Math.log((double) width / height);
        float ratio = (float) ((double) width * height / ((double) scale * scale));
        int multiple = (int) Math.min(Math.ceil(ratio), maxSlices);
        if (multiple <= 1) {
            return new Plan(bestResize(width, height, true), 0, 0, null);
        }
        Resolution source = bestResize(width, height, false);
        int[] grid = bestGrid(multiple, logRatio);
        int cols = grid[0];
        int rows = grid[1];
        int refineW = ensureDivide(width, cols);
        int refineH = ensureDivide(height, rows);
        Resolution cell = bestResize(refineW / cols, refineH / rows, true);
        return new Plan(source, cols, rows, new Resolution(cell.width() * cols, cell.height() * rows));
    }

    /** {@code uhd_find_best_resize}. */
    Resolution bestResize(int width, int height, boolean allowUpscale) {
        int w = width;
        int h = height;
        if ((long) w * h > (long) scale * scale || allowUpscale) {
            float r = (float) w / h;
            h = (int) (scale / (float) Math.sqrt(r));
            w = (int) (h * r);
        }
        return new Resolution(ensureDivide(w, patch), ensureDivide(h, patch));
    }

    /** {@code ensure_divide}: the nearest multiple of {@code unit}, at least {@code unit}. */
    static int ensureDivide(int length, int unit) {
        return Math.max((int) (Math.round((double) ((float) length / unit)) * unit), unit);
    }

    /** {@code uhd_best_grid}: (cols, rows). */
    int[] bestGrid(int multiple, float logRatio) {
        int[] best = {1, 1};
        float minError = Float.POSITIVE_INFINITY;
        for (int n = multiple - 1; n <= multiple + 1; n++) {
            if (n == 1 || n > maxSlices || n <= 0) {
                continue;
            }
            for (int m = 1; m <= n; m++) {
                if (n % m != 0) {
                    continue;
                }
                float error = (float) Math.abs(logRatio - Math.log((double) m / (n / m)));
                if (error < minError) {
                    best = new int[] {m, n / m};
                    minError = error;
                }
            }
        }
        return best;
    }
}
