package dev.fovea.engine.vision.tiling;

/**
 * One crop of a tiling: the tile at ({@code row}, {@code col}) of the tile grid, taken from the region whose
 * top-left corner is ({@code x}, {@code y}) of the canvas the plan describes.
 */
public record TileRegion(int row, int col, int x, int y, int width, int height) {
}
