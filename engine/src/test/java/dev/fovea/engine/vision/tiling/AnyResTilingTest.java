package dev.fovea.engine.vision.tiling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufValueType;
import dev.fovea.engine.gguf.GgufWriter;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.vision.FeatureMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnyResTilingTest {
    static final AnyResTiling LLAVA = new AnyResTiling(AnyResTiling.LLAVA_16_PINPOINTS, 336);
    static final int GRID = 24; // 336 px / patch 14
    static final int DIM = 3;

    @TempDir
    Path dir;

    /** Projector outputs where tile t's token (r, c) holds (t, r, c) in its three channels; the base holds −1s. */
    static List<FeatureMap> labelledOutputs(AnyResPlan plan) {
        List<FeatureMap> l = new ArrayList<>();
        l.add(new FeatureMap(filled(GRID * GRID * DIM, -1), GRID * GRID, DIM, GRID, GRID));
        for (int t = 0; t < plan.inputCount() - 1; t++) {
            float[] d = new float[GRID * GRID * DIM];
            for (int r = 0; r < GRID; r++) {
                for (int c = 0; c < GRID; c++) {
                    int o = (r * GRID + c) * DIM;
                    d[o] = t;
                    d[o + 1] = r;
                    d[o + 2] = c;
                }
            }
            l.add(new FeatureMap(d, GRID * GRID, DIM, GRID, GRID));
        }
        return l;
    }

    static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    static final float[] NEWLINE = {7, 7, 7};

    @Test
    void square672ImageGives2928Tokens() {
        AnyResPlan plan = LLAVA.plan(672, 672);
        assertThat(plan.best()).isEqualTo(new Resolution(672, 672));
        assertThat(plan.tileRows()).isEqualTo(2);
        assertThat(plan.tileCols()).isEqualTo(2);
        assertThat(plan.inputCount()).isEqualTo(5);
        assertThat(AnyResAssembler.outputTokens(plan, 576, GRID, GRID, true)).isEqualTo(2928);

        FeatureMap out = AnyResAssembler.assemble(plan, labelledOutputs(plan), NEWLINE);
        assertThat(out.tokens()).isEqualTo(2928);
        float[] d = out.data();
        assertThat(d[0]).isEqualTo(-1);
        assertThat(d[575 * DIM]).isEqualTo(-1);
        // full grid row 30, column 40 lies in tile (1, 1) = tile 3 at (6, 16); each grid row is 48 tokens + newline
        int token = 576 + 30 * 49 + 40;
        assertThat(new float[] {d[token * DIM], d[token * DIM + 1], d[token * DIM + 2]}).containsExactly(3, 6, 16);
        int rowEnd = 576 + 30 * 49 + 48;
        assertThat(new float[] {d[rowEnd * DIM], d[rowEnd * DIM + 1], d[rowEnd * DIM + 2]}).containsExactly(7, 7, 7);
        // row 5, column 25: tile (0, 1) = tile 1 at (5, 1)
        int t2 = 576 + 5 * 49 + 25;
        assertThat(new float[] {d[t2 * DIM], d[t2 * DIM + 1], d[t2 * DIM + 2]}).containsExactly(1, 5, 1);
        assertThat(d[d.length - 1]).isEqualTo(7);
    }

    @Test
    void wideImageFillsTwoTilesWithoutPaddingRows() {
        // 1000×500: 672×336 keeps the whole image at scale 0.672 with nothing wasted; features 24×48, aspect 2 = 2
        AnyResPlan plan = LLAVA.plan(1000, 500);
        assertThat(plan.best()).isEqualTo(new Resolution(672, 336));
        assertThat(plan.tileRows()).isEqualTo(1);
        assertThat(plan.tileCols()).isEqualTo(2);
        assertThat(AnyResAssembler.assemble(plan, labelledOutputs(plan), NEWLINE).tokens()).isEqualTo(576 + 24 * 49);
    }

    @Test
    void wideImageWithPaddedColumns() {
        // 1000×400: 1008×336 (scale 0.84: 840×336, effective 282240) beats 672×336 and 672×672 (180096);
        // features 24×72; aspect 2.5 < 3 so columns: 1000·24/400 = 60 kept, 6 dropped on each side
        AnyResPlan plan = LLAVA.plan(1000, 400);
        assertThat(plan.best()).isEqualTo(new Resolution(1008, 336));
        assertThat(plan.resized()).isEqualTo(new Resolution(840, 336));
        assertThat(plan.padX()).isEqualTo(84);
        assertThat(plan.padY()).isZero();
        AnyResPlan.FeatureWindow w = plan.unpadded(GRID, GRID);
        assertThat(w).isEqualTo(new AnyResPlan.FeatureWindow(24, 72, 0, 24, 6, 66));
        FeatureMap out = AnyResAssembler.assemble(plan, labelledOutputs(plan), NEWLINE);
        assertThat(out.tokens()).isEqualTo(576 + 24 * 61);
        // the first kept token is grid column 6 of tile 0
        assertThat(new float[] {out.data()[576 * DIM], out.data()[576 * DIM + 1], out.data()[576 * DIM + 2]})
                .containsExactly(0, 0, 6);
    }

    @Test
    void tallImageWithOddPaddingKeepsOneExtraRow() {
        // 400×985: 336×1008 (scale 0.84: 336×827); features 72×24; aspect 0.406 > 1/3 so rows:
        // ⌊985·24/400⌋ = 59, (72 − 59) / 2 = 6 dropped each side, 60 kept
        AnyResPlan plan = LLAVA.plan(400, 985);
        assertThat(plan.best()).isEqualTo(new Resolution(336, 1008));
        assertThat(plan.unpadded(GRID, GRID)).isEqualTo(new AnyResPlan.FeatureWindow(72, 24, 6, 66, 0, 24));
        assertThat(AnyResAssembler.assemble(plan, labelledOutputs(plan), NEWLINE).tokens()).isEqualTo(576 + 60 * 25);
    }

    @Test
    void otherHandComputedCounts() {
        // 900×300 -> 1008×336 (capped effective 270000), no padding: 576 + 24·73
        assertThat(AnyResAssembler.outputTokens(LLAVA.plan(900, 300), 576, GRID, GRID, true)).isEqualTo(2328);
        // 336×336: every candidate caps at 112896; least waste 336×672 first; 48×24 grid keeps 24 rows
        AnyResPlan small = LLAVA.plan(336, 336);
        assertThat(small.best()).isEqualTo(new Resolution(336, 672));
        assertThat(AnyResAssembler.outputTokens(small, 576, GRID, GRID, true)).isEqualTo(576 + 24 * 25);
        // 1344×200 -> 1008×336; ⌊200·72/1344⌋ = 10 rows, (24 − 10) / 2 = 7 each side
        assertThat(AnyResAssembler.outputTokens(LLAVA.plan(1344, 200), 576, GRID, GRID, true)).isEqualTo(576 + 10 * 73);
        // without newline
        assertThat(AnyResAssembler.outputTokens(LLAVA.plan(672, 672), 576, GRID, GRID, false)).isEqualTo(576 + 48 * 48);
    }

    @Test
    void renderCropsTheCentredCanvas() {
        AnyResPlan plan = LLAVA.plan(1000, 400);
        LabelImage image = LabelImage.ofCoordinates(1000, 400);
        List<LabelImage> inputs = plan.render(image, LabelImage.OPS);
        assertThat(inputs).hasSize(4);
        for (LabelImage in : inputs) {
            assertThat(in.width()).isEqualTo(336);
            assertThat(in.height()).isEqualTo(336);
        }
        // base view: the whole image squashed; its last pixel comes from near the image's bottom-right
        assertThat(inputs.get(0).at(0, 0)).isEqualTo(0);
        // tile 0: 84 columns of padding, then the image's left edge
        assertThat(inputs.get(1).at(83, 0)).isEqualTo(-1);
        assertThat(inputs.get(1).at(84, 0)).isEqualTo(0);
        // tile 2 (the third): canvas columns 672..1007; the image ends at 84 + 840 = 924 -> tile column 252
        assertThat(inputs.get(3).at(251, 335)).isNotEqualTo(-1);
        assertThat(inputs.get(3).at(252, 335)).isEqualTo(-1);
    }

    @Test
    void tilesListedRowMajor() {
        AnyResPlan plan = LLAVA.plan(400, 985);
        assertThat(plan.tiles()).containsExactly(new TileRegion(0, 0, 0, 0, 336, 336),
                new TileRegion(1, 0, 0, 336, 336, 336), new TileRegion(2, 0, 0, 672, 336, 336));
    }

    @Test
    void readsPinpointsAndNewlineFromGguf() throws Exception {
        Path p = dir.resolve("mmproj.gguf");
        try (GgufWriter w = GgufWriter.create(p)) {
            w.putUint32("clip.vision.image_size", 336);
            w.putArray("clip.vision.image_grid_pinpoints", GgufValueType.INT32,
                    new int[] {336, 672, 672, 336, 672, 672, 1008, 336, 336, 1008});
            w.addTensor("model.image_newline", GgmlType.F32, 3);
            ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            b.putFloat(1).putFloat(2).putFloat(3).flip();
            w.writeTensorData(b);
        }
        try (GgufFile f = GgufFile.open(p)) {
            assertThat(AnyResTiling.fromGguf(f)).isEqualTo(LLAVA);
            assertThat(AnyResAssembler.readNewline(f)).containsExactly(1, 2, 3);
        }
        Path odd = dir.resolve("odd.gguf");
        try (GgufWriter w = GgufWriter.create(odd)) {
            w.putUint32("clip.vision.image_size", 336);
            w.putArray("clip.vision.image_grid_pinpoints", GgufValueType.INT32, new int[] {336, 672, 672});
        }
        try (GgufFile f = GgufFile.open(odd)) {
            assertThatThrownBy(() -> AnyResTiling.fromGguf(f)).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("pairs");
        }
    }

    @Test
    void rejectsMismatchedOutputs() {
        AnyResPlan plan = LLAVA.plan(672, 672);
        List<FeatureMap> outs = labelledOutputs(plan);
        assertThatThrownBy(() -> AnyResAssembler.assemble(plan, outs.subList(0, 4), NEWLINE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 inputs");
        assertThatThrownBy(() -> AnyResAssembler.assemble(plan, outs, new float[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("newline");
        assertThatThrownBy(() -> new AnyResTiling(List.of(new Resolution(300, 336)), 336))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple");
    }

    @Test
    void sequenceTileOutputsAreReadAsSquareGrids() {
        AnyResPlan plan = LLAVA.plan(672, 672);
        List<FeatureMap> outs = new ArrayList<>();
        for (FeatureMap f : labelledOutputs(plan)) {
            outs.add(FeatureMap.sequence(f.data(), f.tokens(), f.dim()));
        }
        FeatureMap grid = AnyResAssembler.assemble(plan, labelledOutputs(plan), NEWLINE);
        assertThat(AnyResAssembler.assemble(plan, outs, NEWLINE).data()).containsExactly(grid.data());
    }
}
