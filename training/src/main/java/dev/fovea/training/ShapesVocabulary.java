package dev.fovea.training;

import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.gguf.GgufValueType;
import dev.fovea.engine.gguf.GgufWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SentencePiece vocabulary of the ShapesWorld models: control tokens, the 256 byte-fallback tokens, every
 * printable ASCII character, and the words of ShapesWorld's questions, answers and prompt as whole tokens. It is
 * written into the LLM GGUF ({@code tokenizer.ggml.model = llama}), so llama.cpp and Fovea tokenize alike.
 *
 * <p>SentencePiece merges only pairs whose concatenation is itself a token, so each word comes with the chain of
 * its prefixes ({@code ▁c}, {@code ▁ci}, ... {@code ▁circle}); a longer piece scores higher. No space prefix is
 * added (the prompt layout writes its spaces itself), so a fragment tokenizes the same wherever it is cut.
 */
final class ShapesVocabulary {
    static final int UNK = 0;
    static final int BOS = 1;
    static final int EOS = 2;
    static final String SPACE = "\u2581";

    /** GGUF token types (llama.cpp's {@code llama_token_type}). */
    private static final int NORMAL = 1;
    private static final int UNKNOWN = 2;
    private static final int CONTROL = 3;
    private static final int BYTE = 6;

    /** Words that follow a space; each becomes one token (its prefixes become tokens too). */
    static final List<String> WORDS = List.of(
            // prompt
            "USER", "ASSISTANT",
            // question templates
            "What", "color", "is", "the", "shape", "object", "Is", "there", "a", "How", "many", "are", "objects",
            "left", "of", "above", "Which", "leftmost", "rightmost", "topmost", "bottommost", "height", "bar",
            "tallest", "sum", "and", "bars", "more", "than", "Where", "Describe", "image", "with", "chart", "an",
            // answers
            "yes", "no",
            // colours and shapes, singular and plural
            "red", "green", "blue", "yellow", "purple", "orange", "black", "gray",
            "circle", "square", "triangle", "diamond", "star",
            "circles", "squares", "triangles", "diamonds", "stars");

    /** Pieces that need no space before them. */
    static final List<String> GLUED = List.of("<box>", "</box>", "USER", "ASSISTANT");

    private final List<String> tokens = new ArrayList<>();
    private final List<Float> scores = new ArrayList<>();
    private final List<Integer> types = new ArrayList<>();
    private final Map<String, Integer> ids = new LinkedHashMap<>();

    ShapesVocabulary() {
        add("<unk>", 0f, UNKNOWN);
        add("<s>", 0f, CONTROL);
        add("</s>", 0f, CONTROL);
        for (int b = 0; b < 256; b++) {
            add(String.format("<0x%02X>", b), 0f, BYTE);
        }
        add(SPACE, 1f, NORMAL);
        for (char c = 33; c < 127; c++) {
            add(String.valueOf(c), 1f, NORMAL);
        }
        for (String w : WORDS) {
            addWithPrefixes(SPACE + w);
        }
        addWithPrefixes(SPACE + "<box>");
        for (char d = '0'; d <= '9'; d++) {
            addWithPrefixes(SPACE + d); // a number answer starts with one token, not a lone space
        }
        for (String g : GLUED) {
            addWithPrefixes(g);
        }
    }

    private void addWithPrefixes(String piece) {
        for (int len = 2; len <= piece.length(); len++) {
            String p = piece.substring(0, len);
            if (!ids.containsKey(p)) {
                add(p, len, NORMAL);
            }
        }
    }

    private void add(String text, float score, int type) {
        ids.put(text, tokens.size());
        tokens.add(text);
        scores.add(score);
        types.add(type);
    }

    int size() {
        return tokens.size();
    }

    /** The id of a whole piece, or −1. */
    int idOf(String piece) {
        return ids.getOrDefault(piece, -1);
    }

    /** Writes {@code tokenizer.ggml.*} as llama.cpp's converter does for a SentencePiece model. */
    void writeTo(GgufWriter w, String chatTemplate) {
        float[] s = new float[scores.size()];
        int[] t = new int[types.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
            t[i] = types.get(i);
        }
        w.putString(GgufKeys.TOKENIZER_MODEL, "llama")
                .putArray(GgufKeys.TOKENS, GgufValueType.STRING, tokens.toArray(String[]::new))
                .putArray(GgufKeys.SCORES, GgufValueType.FLOAT32, s)
                .putArray(GgufKeys.TOKEN_TYPES, GgufValueType.INT32, t)
                .putUint32(GgufKeys.BOS_ID, BOS)
                .putUint32(GgufKeys.EOS_ID, EOS)
                .putUint32(GgufKeys.UNKNOWN_ID, UNK)
                .putBool(GgufKeys.ADD_BOS, true)
                .putBool(GgufKeys.ADD_EOS, false)
                .putBool(GgufKeys.ADD_SPACE_PREFIX, false)
                .putString(GgufKeys.CHAT_TEMPLATE, chatTemplate);
    }
}
