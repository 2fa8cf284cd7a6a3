package dev.fovea.engine.vision.tiling;

/**
 * A test image whose pixels are integer labels (−1 for padding), with nearest-neighbour resizing, so tests can
 * see exactly where each pixel of an encoder input came from.
 */
record LabelImage(int width, int height, int[] labels) {
    static LabelImage ofCoordinates(int width, int height) {
        int[] l = new int[width * height];
        for (int i = 0; i < l.length; i++) {
            l[i] = i;
        }
        return new LabelImage(width, height, l);
    }

    int at(int x, int y) {
        return labels[y * width + x];
    }

    static final TileImageOps<LabelImage> OPS = new TileImageOps<>() {
        @Override
        public int width(LabelImage image) {
            return image.width();
        }

        @Override
        public int height(LabelImage image) {
            return image.height();
        }

        @Override
        public LabelImage resize(LabelImage image, int width, int height) {
            int[] l = new int[width * height];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    l[y * width + x] = image.at(x * image.width() / width, y * image.height() / height);
                }
            }
            return new LabelImage(width, height, l);
        }

        @Override
        public LabelImage crop(LabelImage image, int x0, int y0, int width, int height) {
            if (x0 < 0 || y0 < 0 || x0 + width > image.width() || y0 + height > image.height()) {
                throw new IllegalArgumentException("crop outside the image");
            }
            int[] l = new int[width * height];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    l[y * width + x] = image.at(x0 + x, y0 + y);
                }
            }
            return new LabelImage(width, height, l);
        }

        @Override
        public LabelImage pad(LabelImage image, int width, int height, int x0, int y0) {
            if (x0 < 0 || y0 < 0 || x0 + image.width() > width || y0 + image.height() > height) {
                throw new IllegalArgumentException("image does not fit the canvas");
            }
            int[] l = new int[width * height];
            java.util.Arrays.fill(l, -1);
            for (int y = 0; y < image.height(); y++) {
                for (int x = 0; x < image.width(); x++) {
                    l[(y0 + y) * width + x0 + x] = image.at(x, y);
                }
            }
            return new LabelImage(width, height, l);
        }
    };
}
