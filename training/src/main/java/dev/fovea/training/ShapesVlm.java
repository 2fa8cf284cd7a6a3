package dev.fovea.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.fovea.engine.tensor.GgmlType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A trainable ShapesWorld vision-language model: ViT → adapter → llama decoder, over the ShapesWorld vocabulary. */
final class ShapesVlm implements AutoCloseable {
    private final VlmShape shape;
    private final ShapesVocabulary vocab;
    private final PromptLayout layout;
    private final Parameters params;
    private final VitTower tower;
    /** The fusion adapter's second tower, else null. */
    private final VitTower fineTower;
    private final Adapter adapter;
    private final LlamaDecoder decoder;

    ShapesVlm(NDManager manager, VlmShape shape, long seed) {
        this.shape = shape;
        this.vocab = new ShapesVocabulary();
        this.layout = new PromptLayout(vocab);
        this.params = new Parameters(manager, seed);
        this.tower = new VitTower(shape.vit(), params, "v.");
        this.fineTower = shape.fine() == null ? null : new VitTower(shape.fine(), params, FINE_PREFIX);
        this.adapter = new Adapter(shape, params);
        this.decoder = new LlamaDecoder(shape.llm(), vocab.size(), params);
        // the tower's auxiliary heads (patch colour and kind): trained, never written to the model files
        params.normal(AUX + "color.weight", 0.02f, shape.vit().width(), PatchLabels.COLOR_CLASSES);
        params.normal(AUX + "kind.weight", 0.02f, shape.vit().width(), PatchLabels.KIND_CLASSES);
        if (fineTower != null) {
            params.normal(AUX + FINE + "color.weight", 0.02f, shape.fine().width(), PatchLabels.COLOR_CLASSES);
            params.normal(AUX + FINE + "kind.weight", 0.02f, shape.fine().width(), PatchLabels.KIND_CLASSES);
        }
    }

    private static final String AUX = "aux.";
    /** The fine tower's own auxiliary heads ({@code aux.fine_…}). */
    private static final String FINE = "fine_";
    private static final String FINE_PREFIX = "v_fine.";

    VlmShape shape() {
        return shape;
    }

    PromptLayout layout() {
        return layout;
    }

    Parameters parameters() {
        return params;
    }

    int imageRows() {
        return shape.views() * adapter.outputRows();
    }

    /** {@code [B, rows, llmDim]} embeddings of preprocessed images ({@code [B · views, 3, S, S]}). */
    NDArray imageEmbeddings(NDArray pixels) {
        return arrange(adapter.forward(tower.forward(pixels), fineTower == null ? null : fineTower.forward(pixels)));
    }

    /**
     * {@code [B · views, rows, D]} → {@code [B, views · rows, D]} in the order the engine's llama.cpp AnyRes layout
     * gives: the base view's rows, then the tiles' grids stitched into one and read row by row.
     */
    private NDArray arrange(NDArray perView) {
        int v = shape.views();
        if (v == 1) {
            return perView;
        }
        long b = perView.getShape().get(0) / v;
        long rows = perView.getShape().get(1);
        long d = perView.getShape().get(2);
        int t = shape.tileSide();
        int g = shape.vit().grid();
        NDArray all = perView.reshape(b, v, rows, d);
        NDArray base = all.get(":, 0, :, :");
        NDArray tiles = all.get(":, 1:, :, :").reshape(b, t, t, g, g, d).transpose(0, 1, 3, 2, 4, 5)
                .reshape(b, (long) t * g * t * g, d);
        return NDArrays.concat(new NDList(base, tiles), 1);
    }

    /**
     * A batch's forward pass.
     *
     * @param logits            {@code [B, L, V]} over the segment rows
     * @param imageMeanSquare   the mean square of the image embeddings (a scalar)
     * @param patchLoss         cross-entropy of the tower's patch colour and kind heads (a scalar; with a fine tower
     *                          the sum of both towers'), or null when the batch has no patch labels
     */
    record Forward(NDArray logits, NDArray imageMeanSquare, NDArray patchLoss) {
    }

    Forward forward(TrainingBatch b) {
        NDArray perView = tower.forward(b.pixels());
        NDArray fine = fineTower == null ? null : fineTower.forward(b.pixels());
        NDArray image = arrange(adapter.forward(perView, fine));
        // the patch labels follow the views one after another: [B, views · patches, width]
        NDArray features = perView.reshape(image.getShape().get(0), -1, perView.getShape().get(2));
        NDArray x = NDArrays.concat(new NDList(decoder.embed(b.prefix()), image, decoder.embed(b.segments())), 1);
        int from = Math.toIntExact(b.prefix().getShape().get(1)) + imageRows();
        NDArray patchLoss = null;
        if (b.patchColors() != null) {
            patchLoss = patchLoss(features, "", b);
            if (fine != null) {
                // the fine tower learns the same labels from its grid pooled onto the first's, as the fusion adapter
                // reads it (without them it would train on the answers alone, which left a tower blind before)
                patchLoss = patchLoss.add(patchLoss(Adapter.poolOnto(fine, shape.vit().grid()), FINE, b));
            }
        }
        return new Forward(decoder.forward(x, b.cos(), b.sin(), b.mask(), from), image.square().mean(), patchLoss);
    }

    /** Cross-entropy of the patch colour and kind heads {@code aux.HEADScolor/kind} on {@code [B, patches, D]}. */
    private NDArray patchLoss(NDArray features, String heads, TrainingBatch b) {
        float patches = b.patchColors().getShape().get(0) * b.patchColors().getShape().get(1);
        NDArray colorLoss = features.matMul(params.get(AUX + heads + "color.weight")).logSoftmax(-1)
                .mul(b.patchColors()).sum();
        NDArray kindLoss = features.matMul(params.get(AUX + heads + "kind.weight")).logSoftmax(-1)
                .mul(b.patchKinds()).sum();
        return colorLoss.add(kindLoss).neg().div(TrainingOps.scalar(colorLoss, patches));
    }

    /** {@code [B, L, V]} logits over the segment rows of a batch. */
    NDArray segmentLogits(TrainingBatch b) {
        return forward(b).logits();
    }

    /** Mean cross-entropy of the answer tokens, from the batch's {@link #segmentLogits}. */
    static NDArray loss(NDArray logits, TrainingBatch b) {
        return logits.logSoftmax(-1).mul(b.targets()).sum().neg().div(TrainingOps.scalar(b.targets(), b.predicted()));
    }

    /**
     * Writes {@code DIR/NAME.gguf} (the LLM) and {@code DIR/NAME-mmproj.gguf} (tower and adapter); with the fusion
     * adapter the towers and the adapter are files of their own, which a pipeline file {@code DIR/NAME.yaml} puts
     * together: {@code NAME-mmproj.gguf}, {@code NAME-mmproj-fine.gguf} and {@code NAME-fusion.gguf}.
     */
    void write(Path dir, String name, GgmlType type) throws IOException {
        java.nio.file.Files.createDirectories(dir);
        GgufModelWriter.writeLlm(dir.resolve(name + ".gguf"), name, decoder, vocab, params, type);
        if (fineTower == null) {
            GgufModelWriter.writeMmproj(dir.resolve(name + "-mmproj.gguf"), name + " vision", tower, adapter, params,
                    shape.llm().dim(), shape.canvas(), type);
            if (shape.canvas() > 0) {
                // the tiles in the layout they were trained in, which the mmproj alone does not say
                writePipeline(dir, name, "a ShapesWorld model with LLaVA-1.6 high-resolution tiles",
                        List.of("clip", name + "-mmproj.gguf"), name + "-" + adapter.kind(), name + "-mmproj.gguf",
                        "tiling: anyres", "anyres_layout: llama.cpp");
            }
            return;
        }
        GgufModelWriter.writeMmproj(dir.resolve(name + "-mmproj.gguf"), name + " vision", tower, null, params,
                shape.llm().dim(), 0, type);
        GgufModelWriter.writeMmproj(dir.resolve(name + "-mmproj-fine.gguf"), name + " fine vision", fineTower, null,
                params, shape.llm().dim(), 0, type);
        GgufModelWriter.writeFusion(dir.resolve(name + "-fusion.gguf"), name + " fusion", adapter, params, type);
        writePipeline(dir, name, "two ShapesWorld towers fused by a SPHINX-style adapter",
                List.of("coarse", name + "-mmproj.gguf", "fine", name + "-mmproj-fine.gguf"), name + "-fusion",
                name + "-fusion.gguf", "tiling: none");
    }

    /**
     * {@code DIR/NAME.yaml}, the pipeline file that joins what the mmproj alone does not say: {@code encoders} as
     * name, mmproj pairs, the adapter's id and file, then {@code tail} lines (tiling).
     */
    private static void writePipeline(Path dir, String name, String what, List<String> encoders, String adapterId,
                                      String adapterFile, String... tail) throws IOException {
        List<String> lines = new java.util.ArrayList<>(List.of("# " + name + ": " + what + " (fovea train shapesworld)",
                "model: " + name, "llm: " + name + ".gguf", "encoders:"));
        for (int i = 0; i < encoders.size(); i += 2) {
            lines.add("  - name: " + encoders.get(i));
            lines.add("    mmproj: " + encoders.get(i + 1));
        }
        lines.addAll(List.of("adapter:", "  id: " + adapterId, "  file: " + adapterFile));
        lines.addAll(List.of(tail));
        java.nio.file.Files.writeString(dir.resolve(name + ".yaml"), String.join("\n", lines) + "\n");
    }

    @Override
    public void close() {
        params.close();
    }
}
