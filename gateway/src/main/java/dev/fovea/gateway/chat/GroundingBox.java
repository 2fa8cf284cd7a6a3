package dev.fovea.gateway.chat;

/** A box the model drew around {@code label}, in pixels of the request's first image (x right, y down). */
public record GroundingBox(String label, double x1, double y1, double x2, double y2) {
}
