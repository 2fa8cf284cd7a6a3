package dev.fovea.engine.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.gguf.GgufWriter;
import dev.fovea.engine.tensor.GgmlType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a MiniCPM-V mmproj's resampler refuses, by name (the shapes it loads are checked against llama.cpp in
 * VisionReferenceTest).
 */
class MiniCpmvResamplerTest {
    @TempDir
    Path dir;

    /** A MiniCPM-V resampler file of the given version whose query table is {@code queries × width}. */
    private Path file(String name, int version, int width, int queries) throws Exception {
        Path p = dir.resolve(name + ".gguf");
        try (GgufWriter w = GgufWriter.create(p)) {
            w.putString(GgufKeys.ARCHITECTURE, "clip");
            w.putString(GgufKeys.PROJECTOR_TYPE, ResamplerProjector.KIND);
            w.putBool(GgufKeys.HAS_MINICPMV_PROJECTOR, true);
            w.putInt32(GgufKeys.MINICPMV_VERSION, version);
            w.addTensor("resampler.query", GgmlType.F32, width, queries);
            w.writeHeader();
            w.writeTensorData(new byte[width * queries * 4]);
        }
        return p;
    }

    @Test
    void versionsOtherThan25And26AreRefusedByName() throws Exception {
        for (int version : new int[] {1, 4, 0}) {
            try (GgufFile f = GgufFile.open(file("v" + version, version, 8, 4))) {
                assertThatThrownBy(() -> ProjectorRegistry.load(f)).isInstanceOf(GgufFormatException.class)
                        .hasMessageContaining("v" + version + ".gguf")
                        .hasMessageContaining(GgufKeys.MINICPMV_VERSION + " " + version + " is not supported");
            }
        }
    }

    @Test
    void aQueryTableOfAnotherShapeThanTheVersionsIsRefused() throws Exception {
        try (GgufFile f = GgufFile.open(file("small", 3, 64, 64))) {
            assertThatThrownBy(() -> ProjectorRegistry.load(f)).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("resampler.query").hasMessageContaining("64 of 3584");
        }
        try (GgufFile f = GgufFile.open(file("noKv", 3, 3584, 64))) {
            assertThatThrownBy(() -> ProjectorRegistry.load(f)).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("resampler.kv.weight");
        }
    }

    @Test
    void theVersionsShapesAreLlamaCpps() {
        assertThat(MiniCpmvResampler.shape(2)).containsExactly(4096, 96);
        assertThat(MiniCpmvResampler.shape(3)).containsExactly(3584, 64);
        assertThat(MiniCpmvResampler.shape(4)).isNull();
    }
}
