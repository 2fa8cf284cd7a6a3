package dev.fovea.engine.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Float arrays to and from the little-endian element bytes of a wire tensor (F32, F16 or BF16), so every service
 * encodes features and embeddings the same way. F16 halves the bytes of image features at a relative error of
 * about 5e-4; values beyond F16's range (±65504) are refused rather than silently turned into infinities.
 */
public final class WireTensors {
    /** Element types a wire tensor can carry. */
    public enum DType {
        F32(4), F16(2), BF16(2);

        private final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }

        /**
         * The type named by a wire enum constant ({@code fovea.v1.DType}'s names); unspecified means F16, the
         * default on the wire.
         */
        public static DType fromWireName(String name) {
            return switch (name) {
                case "F32" -> F32;
                case "F16", "DTYPE_UNSPECIFIED" -> F16;
                case "BF16" -> BF16;
                default -> throw new IllegalArgumentException("unknown tensor dtype " + name);
            };
        }
    }

    private WireTensors() {
    }

    public static byte[] encode(float[] values, DType type) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, type.bytes())).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> b.asFloatBuffer().put(values);
            case F16 -> {
                for (int i = 0; i < values.length; i++) {
                    float v = values[i];
                    if (Math.abs(v) > 65504f && Float.isFinite(v)) {
                        throw new IllegalArgumentException("value " + v + " at " + i + " exceeds the F16 range; send F32");
                    }
                    b.putShort(2 * i, Float.floatToFloat16(v));
                }
            }
            case BF16 -> {
                for (int i = 0; i < values.length; i++) {
                    int bits = Float.floatToRawIntBits(values[i]);
                    // round to nearest even on the dropped 16 bits (NaN stays NaN: its high bits are kept)
                    int rounded = Float.isNaN(values[i]) ? bits : bits + 0x7FFF + ((bits >>> 16) & 1);
                    b.putShort(2 * i, (short) (rounded >>> 16));
                }
            }
        }
        return b.array();
    }

    /** Decodes {@code expected} elements; the byte count must match exactly. */
    public static float[] decode(byte[] data, DType type, long expected) {
        if (expected < 0 || expected > Integer.MAX_VALUE - 16 || data.length != expected * type.bytes()) {
            throw new IllegalArgumentException("tensor data of " + data.length + " bytes does not hold " + expected
                    + " " + type + " values");
        }
        float[] out = new float[(int) expected];
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> b.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.float16ToFloat(b.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xFFFF) << 16);
                }
            }
        }
        return out;
    }
}
