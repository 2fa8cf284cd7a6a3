package dev.fovea.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes little-endian float32 arrays, the format of the conformance fixtures. */
final class Float32Files {
    private Float32Files() {
    }

    static void write(Path path, float[] values, int offset, int length) throws IOException {
        try (OutputStream out = Files.newOutputStream(path)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < length; i++) {
                if (buf.remaining() < 4) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                buf.putFloat(values[offset + i]);
            }
            out.write(buf.array(), 0, buf.position());
        }
    }
}
