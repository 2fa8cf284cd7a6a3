package dev.fovea.engine.gguf;

import dev.fovea.engine.layers.GgufTensors;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.WeightMatrix;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Files over 2 GiB: a sparse file whose second tensor starts beyond 2^31 bytes is mapped and read correctly. */
class GgufLargeFileTest {
    @TempDir
    Path dir;

    @Test
    void tensorsBeyondTwoGibAreReadable() throws Exception {
        long cols = 1024;
        long bigRows = 600_000; // 600000 × 1024 F32 = 2.29 GiB
        long bigBytes = bigRows * cols * 4;
        byte[] header = RawGguf.header(2, 1).kvU32("general.alignment", 32)
                .tensor("big", GgmlType.F32.id(), 0, cols, bigRows)
                .tensor("after", GgmlType.F32.id(), bigBytes, cols, 1)
                .pad(32).toBytes();
        Path p = dir.resolve("large.gguf");
        Files.write(p, header);
        long afterOffset = header.length + bigBytes;
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(afterOffset + cols * 4); // sparse: the big tensor's pages are never written
            ByteBuffer row = ByteBuffer.allocate((int) cols * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < cols; i++) {
                row.putFloat(i * 0.5f);
            }
            f.seek(afterOffset);
            f.write(row.array());
            f.seek(header.length + bigBytes - 4); // the big tensor's very last value
            f.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(42f).array());
        }
        assertThat(Files.size(p)).isGreaterThan(1L << 31);
        try (GgufFile g = GgufFile.open(p)) {
            float[] after = GgufTensors.rowTable(g, g.tensor("after")).dequantize();
            assertThat(after[3]).isEqualTo(1.5f);
            assertThat(after[1023]).isEqualTo(511.5f);
            WeightMatrix big = GgufTensors.weights(g, g.tensor("big"));
            float[] last = new float[(int) cols];
            big.dequantizeRow((int) bigRows - 1, last, 0);
            assertThat(last[(int) cols - 1]).isEqualTo(42f);
            assertThat(last[0]).isZero();
        }
    }
}
