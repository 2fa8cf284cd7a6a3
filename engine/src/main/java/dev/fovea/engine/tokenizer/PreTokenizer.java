package dev.fovea.engine.tokenizer;

import dev.fovea.engine.gguf.GgufFormatException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into words before BPE, by the regexes of the model family named in {@code tokenizer.ggml.pre}.
 * Several regexes apply in turn, each to the pieces of the previous one; text between matches stays a piece of
 * its own (as llama.cpp's splitter keeps it).
 */
final class PreTokenizer {
    private static final String GPT2 =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    private static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private final List<Pattern> patterns;
    private final boolean ignoreMerges;

    private PreTokenizer(String... regexes) {
        this(false, regexes);
    }

    /** {@code ignoreMerges}: a word that is itself a token is emitted whole, as llama.cpp does for Llama 3. */
    private PreTokenizer(boolean ignoreMerges, String... regexes) {
        this.ignoreMerges = ignoreMerges;
        List<Pattern> p = new ArrayList<>();
        for (String r : regexes) {
            // \s, \p{L}, \p{N} over all of Unicode, as llama.cpp's tables
            p.add(Pattern.compile(r, Pattern.UNICODE_CHARACTER_CLASS));
        }
        patterns = List.copyOf(p);
    }

    /** The pre-tokenizer for a {@code tokenizer.ggml.pre} value. */
    static PreTokenizer named(String pre) throws GgufFormatException {
        return switch (pre) {
            case "default" -> new PreTokenizer("[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]");
            case "gpt-2", "gpt2", "phi-2", "jina-es", "jina-de", "roberta-bpe" -> new PreTokenizer(GPT2);
            case "llama-bpe", "llama3", "dbrx", "smaug-bpe" -> new PreTokenizer(true, LLAMA3);
            case "qwen2", "deepseek-r1-qwen" -> new PreTokenizer(QWEN2);
            case "smollm" -> new PreTokenizer("\\p{N}", GPT2);
            default -> throw new GgufFormatException("BPE pre-tokenizer '" + pre + "' is not supported (supported: "
                    + "default, gpt-2, llama-bpe, qwen2, smollm)");
        };
    }

    boolean ignoreMerges() {
        return ignoreMerges;
    }

    List<String> split(String text) {
        List<String> pieces = List.of(text);
        for (Pattern p : patterns) {
            List<String> next = new ArrayList<>();
            for (String piece : pieces) {
                Matcher m = p.matcher(piece);
                int last = 0;
                while (m.find()) {
                    if (m.start() > last) {
                        next.add(piece.substring(last, m.start()));
                    }
                    if (m.end() > m.start()) {
                        next.add(m.group());
                    }
                    last = m.end();
                }
                if (last < piece.length()) {
                    next.add(piece.substring(last));
                }
            }
            pieces = next;
        }
        return pieces;
    }
}
