package dev.fovea.gateway.chat;

import dev.fovea.engine.vision.tiling.MiniCpmvSlicing;
import dev.fovea.proto.v1.Embeddings;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An image's place in a prompt, as the engine's {@code PromptAssembler.expandLayouts} reads it: the layout (for
 * MiniCPM-V its source view and slices among {@code <image>}/{@code <slice>} wrapper text; otherwise one input placed
 * alone) and each encoder input's embeddings, still in flight while the prompt is rendered and tokenized.
 */
record PlacedImage(List<MiniCpmvSlicing.Piece> layout, List<CompletableFuture<Embeddings>> inputs) {
    PlacedImage {
        layout = List.copyOf(layout);
        inputs = List.copyOf(inputs);
    }

    /** Embeddings that go where the image's marker is, as one block. */
    static PlacedImage whole(CompletableFuture<Embeddings> embeddings) {
        return new PlacedImage(List.of(new MiniCpmvSlicing.Piece.Input(0)), List.of(embeddings));
    }
}
