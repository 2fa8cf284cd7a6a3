package dev.fovea.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WireTensorsTest {
    @Test
    void f32RoundTripsExactlyInLittleEndian() {
        float[] v = {1f, -2.5f, 3.1415927f};
        byte[] b = WireTensors.encode(v, WireTensors.DType.F32);
        assertThat(b).startsWith(0x00, 0x00, (byte) 0x80, 0x3F); // 1.0f = 0x3F800000
        assertThat(WireTensors.decode(b, WireTensors.DType.F32, 3)).containsExactly(v);
    }

    @Test
    void f16AndBf16HaveKnownBitPatterns() {
        float[] v = {1f, -2f, 0.5f};
        byte[] h = WireTensors.encode(v, WireTensors.DType.F16);
        assertThat(h).containsExactly(0x00, 0x3C, 0x00, (byte) 0xC0, 0x00, 0x38);
        byte[] bf = WireTensors.encode(new float[] {1f, 1.00390625f, 1.01171875f}, WireTensors.DType.BF16);
        // 1.00390625 = 0x3F808000 ties to even (0x3F80); 1.01171875 = 0x3F818000 ties up to 0x3F82
        assertThat(bf).containsExactly(0x80, 0x3F, 0x80, 0x3F, 0x82, 0x3F);
        assertThat(WireTensors.decode(h, WireTensors.DType.F16, 3)).containsExactly(v);
    }

    @Test
    void refusesMismatchedSizesAndF16Overflow() {
        assertThatThrownBy(() -> WireTensors.decode(new byte[7], WireTensors.DType.F16, 4)).hasMessageContaining("7 bytes");
        assertThatThrownBy(() -> WireTensors.encode(new float[] {1e6f}, WireTensors.DType.F16)).hasMessageContaining("F16 range");
    }
}
