package dev.fovea.gateway.chat;

/** An image's file bytes with its size and content hash (the encoders' and the prefix cache's key). */
record LoadedImage(byte[] bytes, int width, int height, String sha256) {
}
