package dev.fovea.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * SentencePiece as llama.cpp runs it: spaces become '▁' (with a leading one when the vocabulary asks for a space
 * prefix), the text starts as one symbol per character, and the adjacent pair whose merged text is the
 * highest-scoring vocabulary entry is merged until no pair is in the vocabulary. Symbols that are not tokens fall
 * back to their bytes ({@code <0xNN>} tokens).
 */
final class SpmTokenizer extends VocabTokenizer {
    private static final char SPACE_MARK = '\u2581';
    private final int[] byteTokens = new int[256];

    SpmTokenizer(Vocabulary vocab) {
        super(vocab);
        for (int b = 0; b < 256; b++) {
            byteTokens[b] = vocab.idOf(String.format("<0x%02X>", b));
        }
    }

    @Override
    byte[] piece(int id) {
        String text = vocab.tokens[id];
        if (vocab.types[id] == Vocabulary.BYTE && text.length() == 6 && text.startsWith("<0x") && text.endsWith(">")) {
            return new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
        }
        return text.replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
    }

    /** A run of the text; symbols form a linked list, and a merged-away symbol has length 0. */
    private static final class Symbol {
        int start;
        int length;
        int prev;
        int next;
    }

    private record Bigram(int left, int right, float score, int length) {
    }

    @Override
    void encodeText(String fragment, boolean afterSpecial, IntList out) {
        String text = ((vocab.addSpacePrefix && afterSpecial) ? " " + fragment : fragment).replace(' ', SPACE_MARK);
        if (text.isEmpty()) {
            return;
        }
        int n = text.codePointCount(0, text.length());
        Symbol[] symbols = new Symbol[n];
        int pos = 0;
        for (int i = 0; i < n; i++) {
            Symbol s = new Symbol();
            s.start = pos;
            s.length = Character.charCount(text.codePointAt(pos));
            s.prev = i - 1;
            s.next = i + 1 < n ? i + 1 : -1;
            symbols[i] = s;
            pos += s.length;
        }
        // highest score first; on equal scores the leftmost pair
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.score != b.score
                ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        Map<String, int[]> merges = new HashMap<>();
        for (int i = 1; i < n; i++) {
            tryBigram(text, symbols, i - 1, i, queue, merges);
        }
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            Symbol left = symbols[b.left];
            Symbol right = symbols[b.right];
            if (left.length == 0 || right.length == 0 || left.length + right.length != b.length) {
                continue; // one side was merged into something else since this pair was queued
            }
            left.length += right.length;
            right.length = 0;
            left.next = right.next;
            if (right.next >= 0) {
                symbols[right.next].prev = b.left;
            }
            tryBigram(text, symbols, left.prev, b.left, queue, merges);
            tryBigram(text, symbols, b.left, left.next, queue, merges);
        }
        for (int i = 0; i != -1; i = symbols[i].next) {
            Symbol s = symbols[i];
            emit(text, s.start, s.length, merges, out);
        }
    }

    private void tryBigram(String text, Symbol[] symbols, int left, int right, PriorityQueue<Bigram> queue,
                           Map<String, int[]> merges) {
        if (left < 0 || right < 0) {
            return;
        }
        String merged = text.substring(symbols[left].start, symbols[left].start + symbols[left].length
                + symbols[right].length);
        int id = vocab.idOf(merged);
        if (id < 0) {
            return;
        }
        queue.add(new Bigram(left, right, vocab.scores[id], merged.length()));
        merges.put(merged, new int[] {symbols[left].start, symbols[left].length, symbols[right].length});
    }

    /** A final symbol: its token, else the two symbols it was merged from, else its bytes. */
    private void emit(String text, int start, int length, Map<String, int[]> merges, IntList out) {
        String s = text.substring(start, start + length);
        int id = vocab.idOf(s);
        if (id >= 0) {
            out.add(id);
            return;
        }
        int[] m = merges.get(s);
        if (m != null) {
            emit(text, m[0], m[1], merges, out);
            emit(text, m[0] + m[1], m[2], merges, out);
            return;
        }
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int t = byteTokens[b & 0xFF];
            out.add(t >= 0 ? t : vocab.unk);
        }
    }
}
