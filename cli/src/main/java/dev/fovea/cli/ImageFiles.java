package dev.fovea.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads an image file named on the command line, with errors that name it. */
final class ImageFiles {
    /** Larger than any image the decoder accepts is worth reading (its limits are in pixels, files are smaller). */
    private static final long MAX_BYTES = 1L << 30;

    private ImageFiles() {
    }

    static byte[] read(Path image) throws IOException {
        if (Files.isDirectory(image)) {
            throw new IllegalArgumentException(image + " is a directory, not an image file");
        }
        if (Files.exists(image) && Files.size(image) > MAX_BYTES) {
            throw new IllegalArgumentException(image + " is larger than " + MAX_BYTES + " bytes");
        }
        try {
            return Files.readAllBytes(image);
        } catch (IOException e) {
            throw e instanceof java.nio.file.NoSuchFileException ? e
                    : new IOException(image + ": " + e.getMessage(), e);
        }
    }
}
