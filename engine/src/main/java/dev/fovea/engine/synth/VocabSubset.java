package dev.fovea.engine.synth;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.gguf.GgufValue;
import dev.fovea.engine.gguf.GgufValueType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small byte-level BPE vocabulary cut from a larger one, plus control tokens of a model family (MiniCPM-V's
 * {@code <image>}, {@code <slice>}, …). A random-weight model as wide as MiniCPM-V's LLM (3584) with GPT-2's 50,257
 * tokens would weigh 360 MB in F16 for its embedding alone; the first few hundred merges keep it to a few MB while
 * the tokenizer still merges, splits on special tokens and falls back to bytes as the full one does.
 *
 * <p>GPT-2's layout makes the cut exact: its first 256 tokens are the byte symbols and token {@code 256 + r} is the
 * result of merge rank {@code r}, so the first {@code ordinary} tokens and the merges whose parts and result are
 * among them form a consistent vocabulary. The control tokens follow (type 3, parsed only as special tokens); the
 * first is BOS and EOS, and BOS is not added (as for Qwen2's vocabulary).
 *
 * @param ordinary how many of the source's leading tokens to keep (at least the 256 byte symbols)
 * @param controls control tokens appended after them, in order
 * @param pre      the pre-tokenizer ({@code tokenizer.ggml.pre}), e.g. {@code qwen2}
 */
public record VocabSubset(int ordinary, List<String> controls, String pre) {
    private static final int BYTE_SYMBOLS = 256;
    private static final int NORMAL = 1;
    private static final int CONTROL = 3;

    public VocabSubset {
        if (ordinary < BYTE_SYMBOLS) {
            throw new IllegalArgumentException("a byte-level vocabulary keeps at least its " + BYTE_SYMBOLS
                    + " byte symbols, got " + ordinary);
        }
        if (controls.isEmpty()) {
            throw new IllegalArgumentException("name at least one control token (the first is BOS and EOS)");
        }
        controls = List.copyOf(controls);
    }

    /** The {@code tokenizer.*} metadata of the cut vocabulary, ready to be written into a model. */
    public Map<String, GgufValue> tokenizer(GgufFile source) throws GgufFormatException {
        if (!"gpt2".equals(source.getString(GgufKeys.TOKENIZER_MODEL, ""))) {
            throw new GgufFormatException(source.path() + " is not a byte-level BPE vocabulary (tokenizer.ggml.model"
                    + " = " + source.getString(GgufKeys.TOKENIZER_MODEL, "") + ", expected gpt2)");
        }
        String[] tokens = source.getStringArray(GgufKeys.TOKENS);
        String[] merges = source.getStringArray(GgufKeys.MERGES);
        if (tokens == null || merges == null || tokens.length < ordinary) {
            throw new GgufFormatException(source.path() + " has " + (tokens == null ? 0 : tokens.length)
                    + " tokens and " + (merges == null ? "no" : merges.length) + " merges; " + ordinary
                    + " ordinary tokens were asked for");
        }
        List<String> kept = new ArrayList<>(List.of(tokens).subList(0, ordinary));
        Set<String> known = new HashSet<>(kept);
        for (String c : controls) {
            if (known.contains(c)) {
                throw new IllegalArgumentException("control token " + c + " is already an ordinary token");
            }
        }
        List<String> keptMerges = new ArrayList<>();
        for (String m : merges) {
            int space = m.indexOf(' ');
            if (space > 0 && known.contains(m.substring(0, space)) && known.contains(m.substring(space + 1))
                    && known.contains(m.substring(0, space) + m.substring(space + 1))) {
                keptMerges.add(m);
            }
        }
        int[] types = new int[ordinary + controls.size()];
        java.util.Arrays.fill(types, 0, ordinary, NORMAL);
        java.util.Arrays.fill(types, ordinary, types.length, CONTROL);
        List<String> all = new ArrayList<>(kept);
        all.addAll(controls);
        Map<String, GgufValue> out = new LinkedHashMap<>();
        out.put(GgufKeys.TOKENIZER_MODEL, string("gpt2"));
        out.put(GgufKeys.TOKENIZER_PRE, string(pre));
        out.put(GgufKeys.TOKENS, new GgufValue(GgufValueType.ARRAY, GgufValueType.STRING, all.toArray(String[]::new)));
        out.put(GgufKeys.TOKEN_TYPES, new GgufValue(GgufValueType.ARRAY, GgufValueType.INT32, types));
        out.put(GgufKeys.MERGES, new GgufValue(GgufValueType.ARRAY, GgufValueType.STRING,
                keptMerges.toArray(String[]::new)));
        out.put(GgufKeys.BOS_ID, new GgufValue(GgufValueType.UINT32, null, (long) ordinary));
        out.put(GgufKeys.EOS_ID, new GgufValue(GgufValueType.UINT32, null, (long) ordinary));
        out.put(GgufKeys.ADD_BOS, new GgufValue(GgufValueType.BOOL, null, false));
        return out;
    }

    private static GgufValue string(String s) {
        return new GgufValue(GgufValueType.STRING, null, s);
    }
}
