package dev.fovea.engine.vision;

import dev.fovea.engine.vision.tiling.TileImageOps;

/** Tiling's image operations on decoded RGB images, resizing with llama.cpp's cubic filter and padding black. */
public final class RgbImageOps implements TileImageOps<RgbImage> {
    private static final int[] BLACK = {0, 0, 0};

    @Override
    public int width(RgbImage image) {
        return image.width();
    }

    @Override
    public int height(RgbImage image) {
        return image.height();
    }

    @Override
    public RgbImage resize(RgbImage image, int width, int height) {
        return image.width() == width && image.height() == height ? image : ClipPreprocessor.resize(image, width, height);
    }

    @Override
    public RgbImage crop(RgbImage image, int x, int y, int width, int height) {
        return image.crop(x, y, width, height);
    }

    @Override
    public RgbImage pad(RgbImage image, int width, int height, int x, int y) {
        return image.placedOn(width, height, x, y, BLACK);
    }
}
