package dev.fovea.engine.tokenizer;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufKeys;

/**
 * Text to token ids and back, as the GGUF's {@code tokenizer.ggml.*} metadata defines: SentencePiece
 * ({@code llama}) or byte-level BPE ({@code gpt2}). Thread-safe.
 */
public interface Tokenizer {

    /** The tokenizer a GGUF file describes; unsupported models are a {@link GgufFormatException}. */
    static Tokenizer fromGguf(GgufFile file) throws GgufFormatException {
        Vocabulary vocab = Vocabulary.fromGguf(file);
        String model = file.requireString(GgufKeys.TOKENIZER_MODEL);
        return switch (model) {
            case "llama" -> new SpmTokenizer(vocab);
            case "gpt2" -> new BpeTokenizer(vocab, file);
            default -> throw new GgufFormatException("tokenizer model '" + model
                    + "' is not supported (supported: llama = SentencePiece, gpt2 = byte-level BPE)");
        };
    }

    /**
     * Token ids of {@code text}.
     *
     * @param addSpecial   add BOS (and EOS) as the vocabulary's flags say
     * @param parseSpecial match control tokens written in the text (e.g. {@code <|im_start|>}) as those tokens;
     *                     user-defined tokens are always matched
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /** The text of {@code ids}; control tokens are left out, invalid UTF-8 becomes U+FFFD. */
    String decode(int[] ids);

    /** The bytes token {@code id} contributes to the text (empty for control tokens). */
    byte[] tokenBytes(int id);

    int vocabSize();

    int bosId();

    int eosId();

    /** Whether generation ends at this token (EOS, EOT and the chat-end tokens the vocabulary marks). */
    boolean isEndOfGeneration(int id);

    /** Whether {@code encode(…, addSpecial = true, …)} starts with BOS. */
    boolean addBos();

    /** The token's text as stored in the vocabulary. */
    String tokenText(int id);

    /** The id of a token with exactly this text, or -1. */
    int tokenId(String text);
}
