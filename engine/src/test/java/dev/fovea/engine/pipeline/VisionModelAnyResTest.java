package dev.fovea.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.engine.Progress;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.synth.MmprojPreset;
import dev.fovea.engine.synth.MmprojSynthesizer;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LLaVA-1.6 AnyRes end to end on a tiny tower (56 px tiles of 4 × 4 patches, pinpoints scaled from 336 to 56):
 * decode → plan → tiles → encoder → projector → assembly with newlines.
 */
class VisionModelAnyResTest {
    @TempDir
    Path dir;

    private static byte[] png(int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, ((x * 7) & 0xFF) << 16 | ((y * 5) & 0xFF) << 8 | ((x + y) & 0xFF));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void tokenCountsFollowTheTilingRules() throws Exception {
        Path mmproj = dir.resolve("anyres.gguf");
        MmprojSynthesizer.write(new MmprojSynthesizer.Spec(MmprojPreset.named("tiny"), "mlp", GgmlType.F32, 3, true, 0),
                mmproj, Parallel.create(2), Progress.NONE);
        try (VisionModel vm = VisionModel.open(mmproj, Parallel.shared(), 1 << 24)) {
            // 112 × 112 (the 672 × 672 case scaled by 1/6): best 112 × 112 → 2 × 2 tiles of 4 × 4 patches;
            // 16 base tokens + 8 rows × (8 + 1 newline) = 88 (at 336 px: 576 + 48 × 49 = 2928)
            Segment.Embeddings square = vm.embed(png(112, 112));
            assertThat(square.count()).isEqualTo(16 + 8 * 9);
            // 168 × 56 (wide): best 168 × 56 → 3 × 1 tiles, feature grid 4 × 12, nothing to unpad: 16 + 4 × 13
            assertThat(vm.embed(png(168, 56)).count()).isEqualTo(16 + 4 * 13);
            // every value finite, rows not all equal
            for (float v : square.data()) {
                assertThat(Float.isFinite(v)).isTrue();
            }
            int d = square.data().length / square.count();
            assertThat(Arrays.copyOfRange(square.data(), 0, d)).isNotEqualTo(Arrays.copyOfRange(square.data(), 16 * d, 17 * d));
        }
    }
}
