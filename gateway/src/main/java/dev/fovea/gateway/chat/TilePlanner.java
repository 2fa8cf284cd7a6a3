package dev.fovea.gateway.chat;

import dev.fovea.engine.vision.tiling.SubImagePlan;
import dev.fovea.engine.vision.tiling.SubImageTiling;
import dev.fovea.engine.vision.tiling.TileRegion;
import dev.fovea.gateway.pipeline.Tiling;
import dev.fovea.proto.v1.Crop;
import java.util.ArrayList;
import java.util.List;

/**
 * The views of one image that each encoder sees, as crops in source pixels (null = the whole image). Sub-images
 * follow the engine's SPHINX plan (global view, then 2 × 2 row-major); since that plan stretches the image to the
 * grid, each sub-image is the matching fraction of the source, which the encoder resizes to its own size.
 */
final class TilePlanner {
    /** Only geometry matters here; the encoder brings each crop to its own input size. */
    private static final int NOMINAL_VIEW = 224;

    private TilePlanner() {
    }

    static List<Crop> views(Tiling tiling, int width, int height) {
        List<Crop> views = new ArrayList<>();
        views.add(null);
        if (tiling == Tiling.SUBIMAGES) {
            SubImagePlan plan = SubImageTiling.sphinx(NOMINAL_VIEW).plan(width, height);
            int canvasW = plan.cols() * NOMINAL_VIEW;
            int canvasH = plan.rows() * NOMINAL_VIEW;
            for (TileRegion t : plan.subImages()) {
                int x0 = scale(t.x(), width, canvasW);
                int y0 = scale(t.y(), height, canvasH);
                int x1 = scale(t.x() + t.width(), width, canvasW);
                int y1 = scale(t.y() + t.height(), height, canvasH);
                views.add(Crop.newBuilder().setX(x0).setY(y0).setWidth(Math.max(1, x1 - x0))
                        .setHeight(Math.max(1, y1 - y0)).build());
            }
        } else if (tiling != Tiling.NONE) {
            throw new IllegalStateException("tiling " + tiling + " is refused when the registry loads");
        }
        return views;
    }

    private static int scale(int v, int source, int canvas) {
        return (int) Math.round((double) v * source / canvas);
    }
}
