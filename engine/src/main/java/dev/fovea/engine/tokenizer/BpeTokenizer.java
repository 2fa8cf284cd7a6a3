package dev.fovea.engine.tokenizer;

import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufKeys;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Byte-level BPE (GPT-2 and its descendants): the text is split into words by the pre-tokenizer, each word's
 * bytes are mapped to GPT-2's printable characters, and the adjacent pair with the lowest merge rank is merged
 * until no listed merge applies.
 */
final class BpeTokenizer extends VocabTokenizer {
    private final Map<String, Integer> ranks;
    private final PreTokenizer preTokenizer;

    BpeTokenizer(Vocabulary vocab, GgufFile f) throws GgufFormatException {
        super(vocab);
        String[] merges = f.getStringArray(GgufKeys.MERGES);
        if (merges == null) {
            throw new GgufFormatException("a gpt2 tokenizer needs tokenizer.ggml.merges");
        }
        ranks = new HashMap<>(merges.length * 2);
        for (int i = 0; i < merges.length; i++) {
            int sp = merges[i].indexOf(' ', 1);
            if (sp < 0) {
                throw new GgufFormatException("merge " + i + " ('" + merges[i] + "') is not two symbols");
            }
            // key "left right" → rank; the pair is looked up by the same joined form
            ranks.putIfAbsent(merges[i], i);
        }
        preTokenizer = PreTokenizer.named(f.getString(GgufKeys.TOKENIZER_PRE, "default"));
    }

    @Override
    byte[] piece(int id) {
        String text = vocab.tokens[id];
        if (vocab.types[id] == Vocabulary.NORMAL || vocab.types[id] == Vocabulary.UNUSED) {
            byte[] b = ByteLevel.decode(text);
            if (b != null) {
                return b;
            }
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static final class Symbol {
        String text;
        int prev;
        int next;
    }

    private record Pair(int left, int right, int rank, String leftText, String rightText) {
    }

    @Override
    void encodeText(String text, boolean afterSpecial, IntList out) {
        for (String word : preTokenizer.split(text)) {
            encodeWord(ByteLevel.encode(word.getBytes(StandardCharsets.UTF_8)), out);
        }
    }

    private void encodeWord(String word, IntList out) {
        if (preTokenizer.ignoreMerges()) {
            int whole = vocab.idOf(word);
            if (whole >= 0) {
                out.add(whole);
                return;
            }
        }
        int n = word.codePointCount(0, word.length());
        Symbol[] symbols = new Symbol[n];
        int pos = 0;
        for (int i = 0; i < n; i++) {
            int len = Character.charCount(word.codePointAt(pos));
            Symbol s = new Symbol();
            s.text = word.substring(pos, pos + len);
            s.prev = i - 1;
            s.next = i + 1 < n ? i + 1 : -1;
            symbols[i] = s;
            pos += len;
        }
        PriorityQueue<Pair> queue = new PriorityQueue<>((a, b) -> a.rank != b.rank
                ? Integer.compare(a.rank, b.rank) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            tryPair(symbols, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            Pair p = queue.poll();
            Symbol left = symbols[p.left];
            Symbol right = symbols[p.right];
            // stale when either side changed since the pair was queued
            if (left.text.isEmpty() || right.text.isEmpty() || !left.text.equals(p.leftText)
                    || !right.text.equals(p.rightText) || left.next != p.right) {
                continue;
            }
            left.text = left.text + right.text;
            right.text = "";
            left.next = right.next;
            if (right.next >= 0) {
                symbols[right.next].prev = p.left;
            }
            tryPair(symbols, left.prev, p.left, queue);
            tryPair(symbols, p.left, left.next, queue);
        }
        for (int i = 0; i != -1; i = symbols[i].next) {
            String s = symbols[i].text;
            int id = vocab.idOf(s);
            if (id >= 0) {
                out.add(id);
            } else {
                // not a token (a vocabulary without all single bytes): fall back to each character
                for (int c = 0; c < s.length(); c++) {
                    int t = vocab.idOf(String.valueOf(s.charAt(c)));
                    if (t >= 0) {
                        out.add(t);
                    } else if (vocab.unk >= 0) {
                        out.add(vocab.unk);
                    }
                }
            }
        }
    }

    private void tryPair(Symbol[] symbols, int left, int right, PriorityQueue<Pair> queue) {
        if (left < 0 || right < 0) {
            return;
        }
        String l = symbols[left].text;
        String r = symbols[right].text;
        Integer rank = ranks.get(l + " " + r);
        if (rank != null) {
            queue.add(new Pair(left, right, rank, l, r));
        }
    }
}
