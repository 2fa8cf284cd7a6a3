package dev.fovea.training;

import dev.fovea.engine.vision.ClipPreprocessor;
import dev.fovea.engine.vision.RgbImage;
import java.awt.image.BufferedImage;

/** A drawn picture as the engine's preprocessing sees a decoded image file of it (PNG is lossless). */
final class PicturePixels {
    private PicturePixels() {
    }

    static RgbImage rgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < argb.length; i++) {
            rgb[3 * i] = (byte) (argb[i] >> 16);
            rgb[3 * i + 1] = (byte) (argb[i] >> 8);
            rgb[3 * i + 2] = (byte) argb[i];
        }
        return new RgbImage(w, h, rgb);
    }

    static ClipPreprocessor preprocessor(VlmShape.Vit vit) {
        return new ClipPreprocessor(vit.imageSize(), GgufModelWriter.IMAGE_MEAN, GgufModelWriter.IMAGE_STD);
    }
}
