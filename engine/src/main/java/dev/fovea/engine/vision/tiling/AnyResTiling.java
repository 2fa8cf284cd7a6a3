package dev.fovea.engine.vision.tiling;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufKeys;
import java.util.ArrayList;
import java.util.List;

/**
 * LLaVA-1.6 "AnyRes": picks one of the configured grid resolutions ("pinpoints") for an image, as LLaVA's
 * {@code select_best_resolution} does, and plans the base view plus tiles of the encoder's image size.
 *
 * @param pinpoints candidate resolutions, each a multiple of {@code tileSize} on both sides
 * @param tileSize  the encoder's input size ({@code clip.vision.image_size})
 */
public record AnyResTiling(List<Resolution> pinpoints, int tileSize) {
    /** LLaVA-1.6's defaults for 336 px encoders. */
    public static final List<Resolution> LLAVA_16_PINPOINTS = List.of(new Resolution(336, 672),
            new Resolution(672, 336), new Resolution(672, 672), new Resolution(1008, 336), new Resolution(336, 1008));
    private static final int MAX_TILES_PER_SIDE = 64;

    public AnyResTiling {
        pinpoints = List.copyOf(pinpoints);
        if (pinpoints.isEmpty() || tileSize <= 0) {
            throw new IllegalArgumentException("AnyRes needs pinpoints and a positive tile size");
        }
        for (Resolution r : pinpoints) {
            if (r.width() % tileSize != 0 || r.height() % tileSize != 0) {
                throw new IllegalArgumentException("pinpoint " + r + " is not a multiple of the tile size " + tileSize);
            }
            if (r.width() / tileSize > MAX_TILES_PER_SIDE || r.height() / tileSize > MAX_TILES_PER_SIDE) {
                throw new IllegalArgumentException("pinpoint " + r + " needs more than " + MAX_TILES_PER_SIDE
                        + " tiles per side");
            }
        }
    }

    /** The tiling an mmproj file describes, or null when it has no pinpoints (no AnyRes). */
    public static AnyResTiling fromGguf(GgufFile f) throws GgufFormatException {
        int[] flat = f.getIntArray(GgufKeys.VISION_IMAGE_GRID_PINPOINTS);
        if (flat == null) {
            return null;
        }
        if (flat.length == 0 || flat.length % 2 != 0) {
            throw new GgufFormatException(f.path().getFileName() + ": " + GgufKeys.VISION_IMAGE_GRID_PINPOINTS + " must hold width,height pairs, got "
                    + flat.length + " values");
        }
        try {
            List<Resolution> l = new ArrayList<>();
            for (int i = 0; i < flat.length; i += 2) {
                l.add(new Resolution(flat[i], flat[i + 1]));
            }
            return new AnyResTiling(l, f.requireInt(GgufKeys.VISION_IMAGE_SIZE));
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException(f.path().getFileName() + ": bad AnyRes configuration: " + e.getMessage());
        }
    }

    /**
     * LLaVA's {@code select_best_resolution}: for each candidate, scale the image to fit inside it (aspect kept,
     * sizes truncated); the effective resolution is the scaled area, capped at the original area (upscaling adds
     * nothing). Take the largest effective resolution; on a tie, the least wasted area (candidate area minus
     * effective); on a further tie, the first candidate.
     */
    public Resolution selectBestResolution(int width, int height) {
        Resolution original = new Resolution(width, height);
        Resolution best = null;
        long bestEffective = -1, bestWasted = Long.MAX_VALUE;
        for (Resolution r : pinpoints) {
            double scale = Math.min((double) r.width() / width, (double) r.height() / height);
            long effective = Math.min((long) (width * scale) * (long) (height * scale), original.area());
            long wasted = r.area() - effective;
            if (effective > bestEffective || (effective == bestEffective && wasted < bestWasted)) {
                best = r;
                bestEffective = effective;
                bestWasted = wasted;
            }
        }
        return best;
    }

    /** The plan for an image of {@code width × height}. */
    public AnyResPlan plan(int width, int height) {
        Resolution best = selectBestResolution(width, height);
        // LLaVA's resize_and_pad_image: fit the tighter side exactly, round the other up (capped), centre it
        double scaleW = (double) best.width() / width, scaleH = (double) best.height() / height;
        int newW, newH;
        if (scaleW < scaleH) {
            newW = best.width();
            newH = (int) Math.min(Math.ceil(height * scaleW), best.height());
        } else {
            newH = best.height();
            newW = (int) Math.min(Math.ceil(width * scaleH), best.width());
        }
        Resolution resized = new Resolution(Math.max(newW, 1), Math.max(newH, 1));
        return new AnyResPlan(new Resolution(width, height), best, resized, (best.width() - resized.width()) / 2,
                (best.height() - resized.height()) / 2, tileSize, best.height() / tileSize, best.width() / tileSize);
    }
}
