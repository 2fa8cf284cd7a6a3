package dev.fovea.engine.gguf;

import dev.fovea.engine.tensor.GgmlType;

/**
 * A tensor's entry in the GGUF tensor table.
 *
 * @param name     tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param shape    dims innermost first, as GGUF lists them ({@code shape[0]} is the row length)
 * @param type     element type
 * @param offset   offset of the data relative to the start of the data section
 * @param byteSize size of the data in bytes
 */
public record GgufTensorInfo(String name, long[] shape, GgmlType type, long offset, long byteSize) {

    /** Number of values. */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Row length ({@code ne0}). */
    public long rowLength() {
        return shape.length == 0 ? 1 : shape[0];
    }

    /** Number of rows (product of all dims but the first). */
    public long rowCount() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }
}
