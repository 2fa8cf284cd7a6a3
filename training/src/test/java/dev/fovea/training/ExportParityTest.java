package dev.fovea.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.fovea.engine.Progress;
import dev.fovea.engine.llm.KvCache;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.LanguageModel;
import dev.fovea.engine.pipeline.VisionModel;
import dev.fovea.engine.tensor.GgmlType;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.tiling.AnyResLayout;
import dev.fovea.shapesworld.DrawnObject;
import dev.fovea.shapesworld.NamedColor;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the trainer computes is what Fovea's engine computes on the written files: after two optimizer steps (so no
 * weight is at its initial value), the image embeddings and the next-token logits of a question agree.
 */
class ExportParityTest {

    @TempDir
    Path dir;

    @Test
    void engineReproducesTheTrainedModelOnTheWrittenFiles() throws Exception {
        for (String adapter : List.of(Adapter.MLP, Adapter.LINEAR, Adapter.RESAMPLER, Adapter.FUSION)) {
            check(VlmShape.tiny(adapter), adapter);
        }
        // AnyRes: the base view and 2 × 2 tiles of a 64² canvas, in the engine's llama.cpp layout
        check(VlmShape.tiny(Adapter.MLP).withCanvas(64), "anyres");
    }

    private void check(VlmShape shape, String adapterKind) throws Exception {
        BufferedImage picture = picture();
        try (NDManager m = NDManager.newBaseManager(); ShapesVlm model = new ShapesVlm(m, shape, 7)) {
            PromptLayout layout = model.layout();
            PictureViews views = PictureViews.of(picture, List.of(
                    new DrawnObject("circle", NamedColor.RED, 4, 4, 14, 14),
                    new DrawnObject("square", NamedColor.BLUE, 26, 20, 12, 12)), shape);
            float[] pixels = views.pixels();
            TrainingExample example = new TrainingExample(pixels, List.of(
                    new TrainingExample.QaTokens(layout.question("What color is the star?"), layout.answer("red")),
                    new TrainingExample.QaTokens(layout.question("How many objects are there?"), layout.answer("3"))),
                    views.labels());
            AdamW opt = new AdamW(0.01f, 1f);
            for (int step = 0; step < 2; step++) {
                try (NDManager s = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    TrainingBatch batch = TrainingBatch.build(s, List.of(example, example), layout.prefix(),
                            model.imageRows(), shape, layout.vocab().size());
                    ShapesVlm.Forward forward = model.forward(batch);
                    gc.backward(ShapesVlm.loss(forward.logits(), batch).add(forward.patchLoss()));
                }
                opt.step(model.parameters(), 0.01f);
            }
            int[] question = layout.question("How many objects are there?");
            float[] trainerEmbd;
            float[] trainerLogits;
            try (NDManager s = m.newSubManager()) {
                TrainingExample one = new TrainingExample(pixels, List.of(
                        new TrainingExample.QaTokens(question, new int[] {ShapesVocabulary.EOS})), null);
                TrainingBatch batch = TrainingBatch.build(s, List.of(one), layout.prefix(), model.imageRows(), shape,
                        layout.vocab().size());
                trainerEmbd = model.imageEmbeddings(batch.pixels()).toFloatArray();
                NDArray logits = model.segmentLogits(batch);
                trainerLogits = logits.get("0, " + (question.length - 1) + ", :").toFloatArray();
            }
            model.write(dir, "parity-" + adapterKind, GgmlType.F32);

            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(picture, "png", png);
            try (Parallel pool = Parallel.create(2);
                 LanguageModel llm = LanguageModel.open(dir.resolve("parity-" + adapterKind + ".gguf"), pool, Progress.NONE)) {
                Segment.Embeddings embd = adapterKind.equals(Adapter.FUSION)
                        ? fused(png.toByteArray(), "parity-" + adapterKind, pool)
                        : embed(png.toByteArray(), dir.resolve("parity-" + adapterKind + "-mmproj.gguf"), pool,
                                shape.canvas() > 0 ? AnyResLayout.LLAMA_CPP : AnyResLayout.HUGGING_FACE);
                assertThat(embd.count()).isEqualTo(model.imageRows());
                assertThat(relativeDiff(embd.data(), trainerEmbd)).isLessThan(1e-3f);
                KvCache cache = llm.decoder().newCache(256);
                float[] engineLogits = llm.decoder().forward(cache, List.of(Segment.tokens(layout.prefix()), embd,
                        Segment.tokens(question)), false);
                assertThat(engineLogits).hasSize(trainerLogits.length);
                assertThat(relativeDiff(engineLogits, trainerLogits)).isLessThan(1e-3f);
                assertThat(argmax(engineLogits)).isEqualTo(argmax(trainerLogits));
                // and the engine tokenizes the prompt as the trainer does
                assertThat(llm.tokenizer().encode(" What color is the star? ASSISTANT:", false, false))
                        .containsExactly(layout.question("What color is the star?"));
            }
        }
    }

    private static Segment.Embeddings embed(byte[] png, Path mmproj, Parallel pool, AnyResLayout layout)
            throws Exception {
        try (VisionModel vision = VisionModel.open(mmproj, pool, 1L << 24, layout)) {
            return vision.embed(png);
        }
    }

    /** The engine's two towers and fusion adapter, from the files (and pipeline file) the trainer wrote. */
    private Segment.Embeddings fused(byte[] png, String name, Parallel pool) throws Exception {
        assertThat(Files.readString(dir.resolve(name + ".yaml"))).contains("mmproj: " + name + "-mmproj-fine.gguf",
                "file: " + name + "-fusion.gguf");
        try (VisionModel vision = VisionModel.openFused(List.of(dir.resolve(name + "-mmproj.gguf"),
                dir.resolve(name + "-mmproj-fine.gguf")), dir.resolve(name + "-fusion.gguf"), pool, 1L << 24)) {
            return vision.embed(png);
        }
    }

    /**
     * The largest difference relative to the largest value: the engine's GELU, like ggml's, goes through an F16
     * table, so agreement is to about 1e-4 of the scale, not to float rounding.
     */
    private static float relativeDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        float max = 0;
        float scale = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        System.out.printf("max difference %.3g of scale %.3g%n", max, scale);
        return max / scale;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** A red circle at (4, 4) 14 px wide and a blue square at (26, 20) 12 px wide on a light 48 × 40 picture. */
    static BufferedImage picture() {
        BufferedImage img = new BufferedImage(48, 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(240, 238, 230));
        g.fillRect(0, 0, 48, 40);
        g.setColor(Color.RED);
        g.fillOval(4, 4, 14, 14);
        g.setColor(Color.BLUE);
        g.fillRect(26, 20, 12, 12);
        g.dispose();
        return img;
    }
}
