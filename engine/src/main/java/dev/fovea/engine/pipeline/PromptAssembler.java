package dev.fovea.engine.pipeline;

import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.template.ChatTemplate;
import dev.fovea.engine.tokenizer.Tokenizer;
import dev.fovea.engine.vision.tiling.MiniCpmvSlicing;
import java.util.ArrayList;
import java.util.List;

/** Turns a rendered prompt with image markers into segments: token runs with image embeddings between them. */
public final class PromptAssembler {
    private PromptAssembler() {
    }

    /**
     * {@code rendered} with each image marker between {@code start} and {@code end} (a family's image wrapper
     * tokens, e.g. Qwen2-VL's {@code <|vision_start|>}…{@code <|vision_end|>}), except where the template already
     * wrote them around it.
     */
    public static String wrapImages(String rendered, String start, String end) {
        if (start.isEmpty() && end.isEmpty()) {
            return rendered;
        }
        String marker = ChatTemplate.IMAGE_MARKER;
        StringBuilder out = new StringBuilder(rendered.length() + 32);
        int from = 0;
        for (int at = rendered.indexOf(marker); at >= 0; at = rendered.indexOf(marker, from)) {
            out.append(rendered, from, at);
            boolean wrapped = rendered.startsWith(start, at - start.length()) && rendered.startsWith(end, at + marker.length());
            out.append(wrapped ? marker : start + marker + end);
            from = at + marker.length();
        }
        return out.append(rendered.substring(from)).toString();
    }

    /** A prompt whose image markers were expanded, and what goes at its markers, in order. */
    public record Expanded<T>(String rendered, List<T> images) {
    }

    /**
     * Expands the k-th image marker of {@code rendered} into {@code images.get(k)}'s layout (MiniCPM-V's, or one
     * block for other models): its text pieces written in place, one marker per encoder input; {@link #assemble}
     * then places the inputs' rows.
     */
    public static Expanded<Segment.Embeddings> expandSliced(String rendered, List<VisionModel.PromptImage> images) {
        return expandLayouts(rendered, images.stream().map(VisionModel.PromptImage::layout).toList(),
                images.stream().map(VisionModel.PromptImage::inputs).toList());
    }

    /**
     * {@link #expandSliced} for inputs of any kind (the gateway's wire embeddings, or their pending results):
     * image k's layout is {@code layouts.get(k)}, its encoder inputs {@code inputs.get(k)}.
     */
    public static <T> Expanded<T> expandLayouts(String rendered, List<List<MiniCpmvSlicing.Piece>> layouts,
                                                List<List<T>> inputs) {
        String marker = ChatTemplate.IMAGE_MARKER;
        String[] pieces = rendered.split(java.util.regex.Pattern.quote(marker), -1);
        if (pieces.length - 1 != layouts.size() || layouts.size() != inputs.size()) {
            throw new IllegalArgumentException("the prompt has " + (pieces.length - 1) + " image places for "
                    + layouts.size() + " images");
        }
        StringBuilder out = new StringBuilder(rendered.length() + 64 * layouts.size());
        List<T> rows = new ArrayList<>();
        for (int i = 0; i < pieces.length; i++) {
            out.append(pieces[i]);
            if (i < layouts.size()) {
                for (MiniCpmvSlicing.Piece p : layouts.get(i)) {
                    switch (p) {
                        case MiniCpmvSlicing.Piece.Text t -> out.append(t.text());
                        case MiniCpmvSlicing.Piece.Input in -> {
                            out.append(marker);
                            rows.add(inputs.get(i).get(in.index()));
                        }
                    }
                }
            }
        }
        return new Expanded<>(out.toString(), List.copyOf(rows));
    }

    /**
     * An image's segments on their own (a raw prompt's image, between its prompt and suffix): each wrapper text
     * tokenized by itself with special tokens parsed and no BOS, as llama.cpp's {@code minicpmv-cli} evaluates each
     * piece, and each input's rows.
     */
    public static List<Segment> place(Tokenizer tokenizer, VisionModel.PromptImage image) {
        List<Segment> out = new ArrayList<>();
        for (MiniCpmvSlicing.Piece p : image.layout()) {
            switch (p) {
                case MiniCpmvSlicing.Piece.Text t -> {
                    int[] ids = tokenizer.encode(t.text(), false, true);
                    if (ids.length > 0) {
                        out.add(Segment.tokens(ids));
                    }
                }
                case MiniCpmvSlicing.Piece.Input in -> out.add(image.inputs().get(in.index()));
            }
        }
        return out;
    }

    /**
     * Tokenizes {@code rendered} (special tokens parsed; BOS per the vocabulary, added once at the start — a BOS the
     * template wrote as text is dropped so it is not doubled) and puts {@code images.get(k)} at the k-th marker.
     */
    public static List<Segment> assemble(Tokenizer tokenizer, String rendered, List<Segment.Embeddings> images) {
        String text = rendered;
        if (tokenizer.addBos() && tokenizer.bosId() >= 0) {
            String bos = tokenizer.tokenText(tokenizer.bosId());
            if (!bos.isEmpty() && text.startsWith(bos)) {
                text = text.substring(bos.length());
            }
        }
        String[] pieces = text.split(java.util.regex.Pattern.quote(ChatTemplate.IMAGE_MARKER), -1);
        if (pieces.length - 1 != images.size()) {
            throw new IllegalArgumentException("the prompt has " + (pieces.length - 1) + " image places for "
                    + images.size() + " images");
        }
        List<Segment> out = new ArrayList<>();
        for (int i = 0; i < pieces.length; i++) {
            int[] ids = tokenizer.encode(pieces[i], i == 0, true);
            if (ids.length > 0) {
                out.add(Segment.tokens(ids));
            }
            if (i < images.size()) {
                out.add(images.get(i));
            }
        }
        return out;
    }
}
