package dev.fovea.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What SentencePiece and BPE share: special-token splitting, BOS/EOS, and decoding through per-token bytes.
 * Subclasses tokenize the plain-text fragments between special tokens.
 */
abstract class VocabTokenizer implements Tokenizer {
    final Vocabulary vocab;
    private final byte[][] pieces;

    VocabTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
        this.pieces = new byte[vocab.size()][];
        for (int i = 0; i < pieces.length; i++) {
            pieces[i] = vocab.types[i] == Vocabulary.CONTROL ? new byte[0] : piece(i);
        }
    }

    /** The bytes of a non-control token. */
    abstract byte[] piece(int id);

    /**
     * Appends the tokens of a plain-text fragment.
     *
     * @param afterSpecial the fragment starts the text or follows a special token (SentencePiece then adds its
     *                     space prefix)
     */
    abstract void encodeText(String text, boolean afterSpecial, IntList out);

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntList out = new IntList(text.length() / 3 + 4);
        if (addSpecial && vocab.addBos) {
            out.add(vocab.bos);
        }
        boolean afterSpecial = true;
        for (Object fragment : split(text, parseSpecial)) {
            if (fragment instanceof Integer special) {
                out.add(special);
                afterSpecial = true;
            } else {
                encodeText((String) fragment, afterSpecial, out);
                afterSpecial = false;
            }
        }
        if (addSpecial && vocab.addEos) {
            out.add(vocab.eos);
        }
        return out.toArray();
    }

    /**
     * The text cut around special tokens, longest token first: a list of Integer (a special token) and String
     * (plain text). Control tokens only count with {@code parseSpecial}; user-defined ones always do.
     */
    private List<Object> split(String text, boolean parseSpecial) {
        List<Object> fragments = new ArrayList<>();
        if (!text.isEmpty()) {
            fragments.add(text);
        }
        for (int id : vocab.specials) {
            int type = vocab.types[id];
            if (!parseSpecial && type != Vocabulary.USER_DEFINED) {
                continue;
            }
            String special = vocab.tokens[id];
            List<Object> next = null;
            for (int f = 0; f < fragments.size(); f++) {
                Object frag = fragments.get(f);
                if (!(frag instanceof String s) || !s.contains(special)) {
                    if (next != null) {
                        next.add(frag);
                    }
                    continue;
                }
                if (next == null) {
                    next = new ArrayList<>(fragments.subList(0, f));
                }
                int from = 0;
                int at;
                while ((at = s.indexOf(special, from)) >= 0) {
                    if (at > from) {
                        next.add(s.substring(from, at));
                    }
                    next.add(id);
                    from = at + special.length();
                    if (vocab.rstrip[id]) {
                        while (from < s.length() && isSpace(s.charAt(from))) {
                            from++;
                        }
                    }
                }
                if (from < s.length()) {
                    next.add(s.substring(from));
                }
            }
            if (next != null) {
                fragments = next;
            }
        }
        return fragments;
    }

    /** C's {@code isspace} in the default locale, which llama.cpp uses for stripping. */
    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            bytes.writeBytes(tokenBytes(id));
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException(e); // cannot happen with REPLACE
        }
    }

    @Override
    public byte[] tokenBytes(int id) {
        vocab.checkId(id);
        return pieces[id].clone();
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public int bosId() {
        return vocab.bos;
    }

    @Override
    public int eosId() {
        return vocab.eos;
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return id >= 0 && id < vocab.size() && vocab.endOfGeneration[id];
    }

    @Override
    public boolean addBos() {
        return vocab.addBos;
    }

    @Override
    public String tokenText(int id) {
        vocab.checkId(id);
        return vocab.tokens[id];
    }

    @Override
    public int tokenId(String text) {
        return vocab.idOf(text);
    }
}
