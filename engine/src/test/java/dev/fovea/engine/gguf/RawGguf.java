package dev.fovea.engine.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds GGUF bytes field by field, without any checks, so tests can make files the writer refuses to make. */
final class RawGguf {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Magic, version 3 and the two counts. */
    static RawGguf header(long tensorCount, long kvCount) {
        return new RawGguf().u32(GgufFile.MAGIC).u32(3).u64(tensorCount).u64(kvCount);
    }

    RawGguf u8(int v) {
        out.write(v);
        return this;
    }

    RawGguf u32(long v) {
        for (int i = 0; i < 4; i++) out.write((int) (v >>> (8 * i)));
        return this;
    }

    RawGguf u64(long v) {
        for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i)));
        return this;
    }

    RawGguf str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(b.length);
        out.writeBytes(b);
        return this;
    }

    RawGguf bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** A metadata entry holding a UINT32. */
    RawGguf kvU32(String key, long value) {
        return str(key).u32(GgufValueType.UINT32.id()).u32(value);
    }

    /** A metadata entry holding a STRING. */
    RawGguf kvString(String key, String value) {
        return str(key).u32(GgufValueType.STRING.id()).str(value);
    }

    /** A tensor info. */
    RawGguf tensor(String name, int typeId, long offset, long... dims) {
        str(name).u32(dims.length);
        for (long d : dims) u64(d);
        return u32(typeId).u64(offset);
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    RawGguf pad(int alignment) {
        while (out.size() % alignment != 0) out.write(0);
        return this;
    }

    RawGguf zeros(int n) {
        out.writeBytes(new byte[n]);
        return this;
    }

    byte[] toBytes() {
        return out.toByteArray();
    }
}
