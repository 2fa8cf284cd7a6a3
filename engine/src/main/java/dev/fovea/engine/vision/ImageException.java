package dev.fovea.engine.vision;

/** An image that cannot be used: unknown or broken format, or larger than allowed. */
public final class ImageException extends Exception {
    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
