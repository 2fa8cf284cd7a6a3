package dev.fovea.engine.vision.tiling;

/**
 * The few image operations tiling needs, over whatever image type the caller decodes to; tiling itself only
 * computes geometry. An implementation resizes with the encoder's own filter (e.g. llama.cpp's bicubic).
 *
 * @param <I> the image type
 */
public interface TileImageOps<I> {
    int width(I image);

    int height(I image);

    /** The whole image scaled to {@code width × height} (aspect ratio not kept). */
    I resize(I image, int width, int height);

    /** The {@code width × height} region whose top-left pixel is ({@code x}, {@code y}); it lies inside the image. */
    I crop(I image, int x, int y, int width, int height);

    /**
     * A {@code width × height} canvas filled with the padding colour (LLaVA-1.6: black) with {@code image}
     * pasted at ({@code x}, {@code y}); the image fits inside the canvas.
     */
    I pad(I image, int width, int height, int x, int y);
}
