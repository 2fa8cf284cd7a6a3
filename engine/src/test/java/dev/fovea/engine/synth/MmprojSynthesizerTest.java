package dev.fovea.engine.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.Progress;
import dev.fovea.engine.adapter.Projector;
import dev.fovea.engine.adapter.ProjectorRegistry;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.ClipVisionEncoder;
import dev.fovea.engine.vision.FeatureMap;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MmprojSynthesizerTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"tiny, mlp, F16, 16, 64", "tiny, linear, F32, 16, 64", "tiny-siglip, mlp, Q8_0, 16, 64"})
    void synthesizedTowersLoadAndEncode(String preset, String projector, GgmlType type, int patches, int outDim)
            throws Exception {
        Path out = dir.resolve(preset + ".gguf");
        MmprojSynthesizer.write(new MmprojSynthesizer.Spec(MmprojPreset.named(preset), projector, type, 5, false, 0), out,
                Parallel.create(2), Progress.NONE);
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.tensor("v.patch_embd.weight").shape()).containsExactly(14L, 14L, 3L,
                    (long) MmprojPreset.named(preset).embd());
            assertThat(f.hasTensor("v.class_embd")).isEqualTo(MmprojPreset.named(preset).classToken());
            ClipVisionEncoder enc = ClipVisionEncoder.load(f);
            Projector proj = ProjectorRegistry.load(f);
            assertThat(proj.kind()).isEqualTo(projector);
            float[] pixels = new float[3 * 56 * 56];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) Math.sin(i * 0.01);
            }
            FeatureMap features = enc.encode(pixels, Parallel.shared());
            assertThat(features.tokens()).isEqualTo(patches);
            FeatureMap e = proj.project(List.of(features), Parallel.shared());
            assertThat(e.dim()).isEqualTo(outDim);
            double sq = 0;
            for (float v : e.data()) {
                assertThat(Float.isFinite(v)).isTrue();
                sq += v * v;
            }
            assertThat(sq).isPositive();
        }
    }

    @Test
    void realShapesAreThoseOfThePublishedTowers() {
        MmprojPreset clip = MmprojPreset.named("clip-vit-l-336");
        assertThat(clip.patches()).isEqualTo(576);
        assertThat(MmprojPreset.named("siglip-so400m-384").patches()).isEqualTo(729);
        assertThatThrownBy(() -> MmprojPreset.named("nope")).hasMessageContaining("clip-vit-l-336");
        assertThatThrownBy(() -> new MmprojSynthesizer.Spec(clip, "fusion", GgmlType.F16, 1, false, 0))
                .hasMessageContaining("fusion");
        // the resampler is MiniCPM-V's: llama.cpp's fixed shapes (patch 14, no class token, width 3584 or 4096)
        assertThatThrownBy(() -> new MmprojSynthesizer.Spec(clip, "resampler", GgmlType.F16, 1, false, 0))
                .hasMessageContaining("MiniCPM-V").hasMessageContaining("class token");
        assertThatThrownBy(() -> new MmprojSynthesizer.Spec(MmprojPreset.named("tiny-minicpmv"), "resampler",
                GgmlType.F16, 1, false, 1024)).hasMessageContaining("1024");
    }
}
