package dev.fovea.engine.vision;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.BitSet;

/**
 * Lossless WebP (VP8L) files made bit by bit: a header, then either nothing (a forged file: the header declares
 * pixels the data does not hold) or five single-symbol prefix codes, which spend zero bits a pixel and so encode
 * a one-colour image of any size in a few bytes (a valid file).
 */
final class LosslessWebp {
    private final BitSet bits = new BitSet();
    private int length;

    private LosslessWebp() {
    }

    /** The header of a width × height image followed by {@code zeros} zero bytes of (meaningless) data. */
    static byte[] forged(int width, int height, int zeros) {
        LosslessWebp w = new LosslessWebp().header(width, height);
        return riff(Arrays.copyOf(w.bytes(), w.bytes().length + zeros));
    }

    /** A valid width × height image of one colour (0xRRGGBB). */
    static byte[] solid(int width, int height, int rgb) {
        LosslessWebp w = new LosslessWebp().header(width, height);
        w.put(0, 1); // no transform
        w.put(0, 1); // no colour cache
        w.put(0, 1); // no meta prefix codes
        int[] symbols = {(rgb >> 8) & 0xFF, (rgb >> 16) & 0xFF, rgb & 0xFF, 0xFF}; // green, red, blue, alpha
        for (int s : symbols) {
            w.put(1, 1).put(0, 1).put(1, 1).put(s, 8); // simple code, one symbol, 8-bit symbol
        }
        w.put(1, 1).put(0, 1).put(0, 1).put(0, 1); // distance: simple code, one 1-bit symbol
        // the reader looks 8 bytes ahead of what it decodes
        return riff(Arrays.copyOf(w.bytes(), w.bytes().length + 8));
    }

    private LosslessWebp header(int width, int height) {
        return put(0x2f, 8).put(width - 1, 14).put(height - 1, 14).put(0, 1).put(0, 3);
    }

    private LosslessWebp put(long value, int n) {
        for (int i = 0; i < n; i++) {
            if (((value >> i) & 1) != 0) {
                bits.set(length);
            }
            length++;
        }
        return this;
    }

    private byte[] bytes() {
        return Arrays.copyOf(bits.toByteArray(), (length + 7) / 8);
    }

    private static byte[] riff(byte[] vp8l) {
        int padded = vp8l.length + (vp8l.length & 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("RIFF".getBytes());
        writeLe(out, 4 + 8 + padded);
        out.writeBytes("WEBPVP8L".getBytes());
        writeLe(out, vp8l.length);
        out.writeBytes(vp8l);
        if ((vp8l.length & 1) == 1) {
            out.write(0);
        }
        return out.toByteArray();
    }

    private static void writeLe(ByteArrayOutputStream out, int v) {
        for (int i = 0; i < 4; i++) {
            out.write(v >> (8 * i));
        }
    }
}
