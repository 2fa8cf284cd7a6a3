package dev.fovea.engine.vision.tiling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * MiniCPM-V's slicing geometry, worked by hand from llama.cpp build 4748's {@code uhd_slice_image}; the 400 × 700 and
 * 60 × 170 plans are also what that build logged for the VisionReferenceTest fixtures.
 */
class MiniCpmvSlicingTest {
    private static final MiniCpmvSlicing S = MiniCpmvSlicing.LLAMA_CPP;

    @Test
    void smallImagesAreOneSourceViewScaledUpToAbout448Squared() {
        assertThat(S.plan(56, 56)).isEqualTo(new MiniCpmvSlicing.Plan(new Resolution(448, 448), 0, 0, null));
        // r = 60/170: h = ⌊448/√r⌋ = 754 → 756, w = ⌊754·r⌋ = 266 → 266
        assertThat(S.plan(60, 170)).isEqualTo(new MiniCpmvSlicing.Plan(new Resolution(266, 756), 0, 0, null));
        assertThat(S.plan(60, 170).inputCount()).isEqualTo(1);
    }

    @Test
    void largerImagesGetASourceViewAndAGridOfSlices() {
        // ratio 1.395 → multiple 2; log(4/7) is nearest log(1/2): 1 column, 2 rows; cell 400 × 350 → 476 × 420
        MiniCpmvSlicing.Plan tall = S.plan(400, 700);
        assertThat(tall).isEqualTo(new MiniCpmvSlicing.Plan(new Resolution(336, 588), 1, 2, new Resolution(476, 840)));
        assertThat(tall.slice()).isEqualTo(new Resolution(476, 420));
        // ratio 5.38 → multiple 6; candidates of 5, 6, 7 slices: 3 × 2 is nearest 4:3; cell 400 × 450 → 420 × 476
        MiniCpmvSlicing.Plan wide = S.plan(1200, 900);
        assertThat(wide).isEqualTo(new MiniCpmvSlicing.Plan(new Resolution(518, 392), 3, 2, new Resolution(1260, 952)));
        assertThat(wide.inputCount()).isEqualTo(7);
        // a banner: 3 × 1 beats 2 × 1 and 1 × 2 (multiple 2)
        assertThat(S.plan(2000, 200).cols()).isEqualTo(3);
        assertThat(S.plan(2000, 200).rows()).isEqualTo(1);
        // never more than 9 slices
        MiniCpmvSlicing.Plan huge = S.plan(4000, 4000);
        assertThat(huge.cols() * huge.rows()).isLessThanOrEqualTo(9);
    }

    @Test
    void layoutWrapsTheSourceViewAndTheSlicesAsMinicpmvCliDoes() {
        assertThat(S.plan(60, 170).llamaCppLayout()).containsExactly(new MiniCpmvSlicing.Piece.Text("<image>"),
                new MiniCpmvSlicing.Piece.Input(0), new MiniCpmvSlicing.Piece.Text("</image>"));
        StringBuilder b = new StringBuilder();
        for (MiniCpmvSlicing.Piece p : S.plan(1200, 900).llamaCppLayout()) {
            b.append(p instanceof MiniCpmvSlicing.Piece.Text t ? t.text() : "[" + ((MiniCpmvSlicing.Piece.Input) p).index() + "]");
        }
        assertThat(b.toString()).isEqualTo("<image>[0]</image><slice><image>[1]</image><image>[2]</image><image>[3]</image>\n"
                + "<image>[4]</image><image>[5]</image><image>[6]</image>\n</slice>");
    }

    @Test
    void renderGivesTheSourceViewThenTheSlicesRowByRow() {
        record Img(int w, int h, String what) {
        }
        List<String> calls = new ArrayList<>();
        TileImageOps<Img> ops = new TileImageOps<>() {
            public int width(Img i) {
                return i.w();
            }

            public int height(Img i) {
                return i.h();
            }

            public Img resize(Img i, int w, int h) {
                return new Img(w, h, "resize " + w + "x" + h);
            }

            public Img crop(Img i, int x, int y, int w, int h) {
                return new Img(w, h, i.what() + " crop " + x + "," + y);
            }

            public Img pad(Img i, int w, int h, int x, int y) {
                throw new AssertionError();
            }
        };
        for (Img i : S.plan(1200, 900).render(new Img(1200, 900, "image"), ops)) {
            calls.add(i.what());
        }
        assertThat(calls).containsExactly("resize 518x392", "resize 1260x952 crop 0,0", "resize 1260x952 crop 420,0",
                "resize 1260x952 crop 840,0", "resize 1260x952 crop 0,476", "resize 1260x952 crop 420,476",
                "resize 1260x952 crop 840,476");
    }
}
