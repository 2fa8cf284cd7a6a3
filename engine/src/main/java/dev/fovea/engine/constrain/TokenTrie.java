package dev.fovea.engine.constrain;

import dev.fovea.engine.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.stream.IntStream;

/**
 * The vocabulary's token texts (their bytes, as {@link Tokenizer#tokenBytes} gives them) as a byte trie, so that
 * finding the tokens a matcher state accepts walks each shared prefix once and drops a whole subtree at the first
 * byte the state refuses. Built once per tokenizer.
 *
 * <p>Inside a free string nearly every token is allowed, and a walk would visit the whole trie. There, tokens
 * without a quote, backslash or control byte ("plain") are allowed exactly when their bytes continue well-formed
 * UTF-8 from the string's UTF-8 state, which a table per state answers; only the other tokens (a few hundred in a
 * 32,000-token vocabulary) are walked, in a trie of their own.
 */
final class TokenTrie {
    private static final Map<Tokenizer, TokenTrie> BUILT = new WeakHashMap<>();
    private static final int UTF8_STATES = 8;

    private final int vocabSize;
    /** The end-of-generation tokens, allowed once the value is whole. */
    private final int[] endTokens;
    private final Flat all;
    private final Flat specials;
    /** plainFrom[u]: the plain tokens allowed inside a free string in UTF-8 state u. */
    private final int[][] plainFrom;

    static TokenTrie of(Tokenizer tokenizer) {
        synchronized (BUILT) {
            return BUILT.computeIfAbsent(tokenizer, TokenTrie::new);
        }
    }

    private TokenTrie(Tokenizer tokenizer) {
        vocabSize = tokenizer.vocabSize();
        endTokens = IntStream.range(0, vocabSize).filter(tokenizer::isEndOfGeneration).toArray();
        byte[][] bytes = new byte[vocabSize][];
        boolean[] special = new boolean[vocabSize];
        List<List<Integer>> plain = new ArrayList<>();
        for (int u = 0; u < UTF8_STATES; u++) {
            plain.add(new ArrayList<>());
        }
        for (int id = 0; id < vocabSize; id++) {
            bytes[id] = tokenizer.tokenBytes(id);
            for (byte b : bytes[id]) {
                int v = b & 0xFF;
                special[id] |= v == '"' || v == '\\' || v < 0x20;
            }
            if (special[id] || bytes[id].length == 0) {
                continue;
            }
            for (int u = 0; u < UTF8_STATES; u++) {
                int state = u;
                for (int i = 0; i < bytes[id].length && state >= 0; i++) {
                    state = JsonMatcher.utf8(state, bytes[id][i] & 0xFF);
                }
                if (state >= 0) {
                    plain.get(u).add(id);
                }
            }
        }
        plainFrom = new int[UTF8_STATES][];
        for (int u = 0; u < UTF8_STATES; u++) {
            plainFrom[u] = plain.get(u).stream().mapToInt(Integer::intValue).toArray();
        }
        all = Flat.of(bytes, null);
        specials = Flat.of(bytes, special);
    }

    int[] endTokens() {
        return endTokens;
    }

    int vocabSize() {
        return vocabSize;
    }

    /** Marks in {@code allowed} every token whose whole text {@code state} accepts. */
    void allowed(JsonMatcher state, boolean[] allowed) {
        int u = state.freeStringUtf8State();
        if (u >= 0) {
            for (int id : plainFrom[u]) {
                allowed[id] = true;
            }
            specials.walk(0, state, allowed);
            return;
        }
        all.walk(0, state, allowed);
    }

    /** The whole trie walked, without the table: what {@link #allowed} must equal (for tests). */
    void allowedByWalk(JsonMatcher state, boolean[] allowed) {
        all.walk(0, state, allowed);
    }

    /**
     * A trie in flat arrays: node n's edges are childStart[n] .. childStart[n + 1] - 1, each a label and a target
     * node; the tokens whose text ends at node n are tokenStart[n] .. tokenStart[n + 1] - 1 in tokens.
     */
    private record Flat(int[] childStart, byte[] label, int[] target, int[] tokenStart, int[] tokens) {

        /** The trie of the tokens {@code only} marks (every token with text when null). */
        static Flat of(byte[][] bytes, boolean[] only) {
            // a pointer tree first, then flattened breadth-first, so each node's edges are contiguous
            Node root = new Node();
            for (int id = 0; id < bytes.length; id++) {
                if (bytes[id].length == 0 || only != null && !only[id]) {
                    continue; // control tokens: no text, never part of a JSON value
                }
                Node n = root;
                for (byte b : bytes[id]) {
                    n = n.child(b & 0xFF);
                }
                n.tokens.add(id);
            }
            List<Node> order = new ArrayList<>();
            order.add(root);
            int edges = 0;
            int toks = 0;
            List<Node[]> childrenOf = new ArrayList<>();
            for (int i = 0; i < order.size(); i++) {
                Node n = order.get(i);
                n.index = i;
                Node[] children = n.sorted();
                childrenOf.add(children);
                for (Node c : children) {
                    order.add(c);
                    edges++;
                }
                toks += n.tokens.size();
            }
            int count = order.size();
            int[] childStart = new int[count + 1];
            int[] tokenStart = new int[count + 1];
            byte[] label = new byte[edges];
            int[] target = new int[edges];
            int[] tokens = new int[toks];
            int e = 0;
            int t = 0;
            for (int i = 0; i < count; i++) {
                Node n = order.get(i);
                childStart[i] = e;
                for (Node c : childrenOf.get(i)) {
                    label[e] = (byte) c.label;
                    target[e++] = c.index;
                }
                tokenStart[i] = t;
                for (int id : n.tokens) {
                    tokens[t++] = id;
                }
            }
            childStart[count] = e;
            tokenStart[count] = t;
            return new Flat(childStart, label, target, tokenStart, tokens);
        }

        void walk(int node, JsonMatcher state, boolean[] allowed) {
            for (int e = childStart[node]; e < childStart[node + 1]; e++) {
                JsonMatcher next = state.advance(label[e] & 0xFF);
                if (next == null) {
                    continue;
                }
                int child = target[e];
                for (int t = tokenStart[child]; t < tokenStart[child + 1]; t++) {
                    allowed[tokens[t]] = true;
                }
                if (childStart[child] < childStart[child + 1]) {
                    walk(child, next, allowed);
                }
            }
        }
    }

    /** A node while building: its children in a short list (most nodes have one or two), not a 256-slot table. */
    private static final class Node {
        int[] keys = new int[2];
        Node[] kids = new Node[2];
        int size;
        final List<Integer> tokens = new ArrayList<>(1);
        int index;

        Node child(int b) {
            for (int i = 0; i < size; i++) {
                if (keys[i] == b) {
                    return kids[i];
                }
            }
            if (size == keys.length) {
                keys = java.util.Arrays.copyOf(keys, size * 2);
                kids = java.util.Arrays.copyOf(kids, size * 2);
            }
            Node c = new Node();
            keys[size] = b;
            kids[size++] = c;
            return c;
        }

        /** The children in byte order. */
        Node[] sorted() {
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (x, y) -> Integer.compare(keys[x], keys[y]));
            Node[] out = new Node[size];
            for (int i = 0; i < size; i++) {
                out[i] = kids[order[i]];
                out[i].label = keys[order[i]];
            }
            return out;
        }

        int label;
    }
}
