package dev.fovea.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HugePageMemoryTest {
    @ParameterizedTest
    @ValueSource(longs = {1, 4096, (2L << 20) - 1, 2L << 20, (6L << 20) + 12345})
    void givesZeroedWritableAlignedMemoryOfTheAskedSize(long bytes) {
        MemorySegment s = HugePageMemory.allocate(bytes);
        assertThat(s.byteSize()).isEqualTo(bytes);
        assertThat(s.isNative()).isTrue();
        assertThat(s.address() % 64).isZero();
        for (long i = 0; i < bytes; i += 4093) {
            assertThat(s.get(ValueLayout.JAVA_BYTE, i)).isZero();
            s.set(ValueLayout.JAVA_BYTE, i, (byte) 7);
        }
        assertThat(s.get(ValueLayout.JAVA_BYTE, bytes - 1)).isIn((byte) 0, (byte) 7);
        s.set(ValueLayout.JAVA_BYTE, bytes - 1, (byte) 9);
        assertThat(s.get(ValueLayout.JAVA_BYTE, bytes - 1)).isEqualTo((byte) 9);
    }
}
