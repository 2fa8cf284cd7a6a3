package dev.fovea.training;

import dev.fovea.engine.vision.ClipPreprocessor;
import dev.fovea.engine.vision.RgbImage;
import dev.fovea.engine.vision.RgbImageOps;
import dev.fovea.engine.vision.tiling.AnyResPlan;
import dev.fovea.engine.vision.tiling.AnyResTiling;
import dev.fovea.engine.vision.tiling.TileRegion;
import dev.fovea.shapesworld.DrawnObject;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * What the tower sees of a picture, as the engine's {@code VisionModel} makes it from the decoded file: one view
 * padded to a square, or with AnyRes tiling ({@link VlmShape#tiling()}) the squashed base view and the tiles of the
 * enlarged canvas, rendered by the engine's own plan and resize. Each view's preprocessed pixels ({@code [3][S][S]})
 * follow one another, and so do their {@link PatchLabels}.
 */
record PictureViews(float[] pixels, PatchLabels labels) {

    static PictureViews of(BufferedImage picture, List<DrawnObject> objects, VlmShape shape) {
        VlmShape.Vit vit = shape.vit();
        ClipPreprocessor pre = PicturePixels.preprocessor(vit);
        RgbImage rgb = PicturePixels.rgb(picture);
        int w = rgb.width();
        int h = rgb.height();
        AnyResTiling tiling = shape.tiling();
        if (tiling == null) {
            return new PictureViews(pre.apply(rgb), PatchLabels.of(w, h, objects, vit));
        }
        AnyResPlan plan = tiling.plan(w, h);
        List<RgbImage> views = plan.render(rgb, new RgbImageOps());
        int g = vit.grid();
        int p = vit.patchSize();
        int s = vit.imageSize();
        float[] pixels = new float[views.size() * 3 * s * s];
        List<PatchLabels> labels = new ArrayList<>();
        for (int i = 0; i < views.size(); i++) {
            // each view is already S × S: the preprocessing only normalizes it
            System.arraycopy(pre.apply(views.get(i)), 0, pixels, i * 3 * s * s, 3 * s * s);
        }
        labels.add(PatchLabels.ofView(objects, g, 0, 0, (double) w / g, (double) h / g));
        double sx = (double) plan.resized().width() / w;
        double sy = (double) plan.resized().height() / h;
        for (TileRegion t : plan.tiles()) {
            labels.add(PatchLabels.ofView(objects, g, (t.x() - plan.padX()) / sx, (t.y() - plan.padY()) / sy, p / sx,
                    p / sy));
        }
        return new PictureViews(pixels, PatchLabels.concat(labels));
    }
}
