package dev.fovea.engine.tokenizer;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufKeys;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The token table and special-token settings of {@code tokenizer.ggml.*}, checked for consistency. */
final class Vocabulary {
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;
    static final int BYTE = 6;

    /** Chat-end markers that end generation when the vocabulary has them as control tokens. */
    private static final List<String> END_MARKERS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "</s>", "<|end_of_text|>", "<｜end▁of▁sentence｜>", "<|return|>");

    final String[] tokens;
    final float[] scores;
    final int[] types;
    final Map<String, Integer> ids;
    final int bos;
    final int eos;
    final int unk;
    final boolean addBos;
    final boolean addEos;
    final boolean addSpacePrefix;
    final boolean[] endOfGeneration;
    /** Control/user-defined/unknown tokens, longest text first (the order special-token matching tries them). */
    final List<Integer> specials;
    /** Whitespace after a match of this special token is dropped (llama.cpp's rstrip attribute). */
    final boolean[] rstrip;

    private Vocabulary(GgufFile f) throws GgufFormatException {
        tokens = f.getStringArray(GgufKeys.TOKENS);
        if (tokens == null || tokens.length == 0) {
            throw new GgufFormatException("tokenizer.ggml.tokens is missing or empty");
        }
        int n = tokens.length;
        float[] s = f.getFloatArray(GgufKeys.SCORES);
        if (s != null && s.length != n) {
            throw new GgufFormatException("tokenizer.ggml.scores has " + s.length + " entries for " + n + " tokens");
        }
        scores = s != null ? s : new float[n];
        int[] t = f.getIntArray(GgufKeys.TOKEN_TYPES);
        if (t != null && t.length != n) {
            throw new GgufFormatException("tokenizer.ggml.token_type has " + t.length + " entries for " + n + " tokens");
        }
        types = t != null ? t : filled(n, NORMAL);
        ids = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            if (tokens[i] == null) {
                throw new GgufFormatException("token " + i + " has no text");
            }
            ids.putIfAbsent(tokens[i], i);
        }
        boolean spm = "llama".equals(f.getString(GgufKeys.TOKENIZER_MODEL, ""));
        bos = id(f, GgufKeys.BOS_ID, spm ? 1 : -1, n);
        eos = id(f, GgufKeys.EOS_ID, spm ? 2 : -1, n);
        unk = id(f, GgufKeys.UNKNOWN_ID, spm ? 0 : -1, n);
        // llama.cpp's defaults: SentencePiece adds BOS and a space prefix; byte-level BPE adds neither
        addBos = f.getBool(GgufKeys.ADD_BOS, spm) && bos >= 0;
        addEos = f.getBool(GgufKeys.ADD_EOS, false) && eos >= 0;
        addSpacePrefix = f.getBool(GgufKeys.ADD_SPACE_PREFIX, spm);
        endOfGeneration = new boolean[n];
        if (eos >= 0) {
            endOfGeneration[eos] = true;
        }
        int eot = id(f, GgufKeys.EOT_ID, -1, n);
        if (eot >= 0) {
            endOfGeneration[eot] = true;
        }
        for (String m : END_MARKERS) {
            Integer id = ids.get(m);
            if (id != null && (types[id] == CONTROL || types[id] == USER_DEFINED)) {
                endOfGeneration[id] = true;
            }
        }
        List<Integer> sp = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if ((types[i] == CONTROL || types[i] == USER_DEFINED || types[i] == UNKNOWN) && !tokens[i].isEmpty()) {
                sp.add(i);
            }
        }
        sp.sort(Comparator.comparingInt((Integer i) -> -tokens[i].length()).thenComparingInt(i -> i));
        specials = List.copyOf(sp);
        rstrip = new boolean[n];
        // llama.cpp marks Phi-3's special tokens rstrip by the model's name (its tokenizer.json does), so a templated
        // "<|assistant|>\n" tokenizes without the newline
        String name = f.getString(GgufKeys.NAME, "").toLowerCase(java.util.Locale.ROOT);
        if (name.contains("phi-3") || name.contains("phi3")) {
            for (int id : specials) {
                rstrip[id] = true;
            }
            for (String keep : List.of("<unk>", "<s>", "<|endoftext|>")) {
                Integer id = ids.get(keep);
                if (id != null) {
                    rstrip[id] = false;
                }
            }
            Integer eosText = ids.get("</s>");
            if (eosText != null) {
                rstrip[eosText] = true;
            }
        }
    }

    static Vocabulary fromGguf(GgufFile f) throws GgufFormatException {
        return new Vocabulary(f);
    }

    private static int id(GgufFile f, String key, int fallback, int n) throws GgufFormatException {
        long v = f.getLong(key, fallback);
        if (v < -1 || v >= n) {
            throw new GgufFormatException(key + " = " + v + " is outside the vocabulary of " + n);
        }
        return (int) v;
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    int size() {
        return tokens.length;
    }

    int idOf(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    void checkId(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("token id " + id + " outside the vocabulary of " + tokens.length);
        }
    }
}
