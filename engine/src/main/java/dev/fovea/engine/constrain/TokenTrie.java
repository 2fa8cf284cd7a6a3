package dev.fovea.engine.constrain;

import dev.fovea.engine.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The vocabulary's token texts (their bytes, as {@link Tokenizer#tokenBytes} gives them) as a byte trie, so that
 * finding the tokens a matcher state accepts walks each shared prefix once and drops a whole subtree at the first
 * byte the state refuses. Built once per tokenizer.
 */
final class TokenTrie {
    private static final Map<Tokenizer, TokenTrie> BUILT = new WeakHashMap<>();

    /** Children of node n: edges childStart[n] .. childStart[n + 1] - 1, each a label and a target node. */
    private final int[] childStart;
    private final byte[] label;
    private final int[] target;
    /** Tokens whose text ends at node n: tokenStart[n] .. tokenStart[n + 1] - 1 into tokens. */
    private final int[] tokenStart;
    private final int[] tokens;
    private final int vocabSize;
    /** The end-of-generation tokens, allowed once the value is whole. */
    private final int[] endTokens;

    static TokenTrie of(Tokenizer tokenizer) {
        synchronized (BUILT) {
            return BUILT.computeIfAbsent(tokenizer, TokenTrie::new);
        }
    }

    private TokenTrie(Tokenizer tokenizer) {
        vocabSize = tokenizer.vocabSize();
        endTokens = java.util.stream.IntStream.range(0, vocabSize).filter(tokenizer::isEndOfGeneration).toArray();
        // build as a pointer tree, then flatten (breadth-first, so each node's edges are contiguous)
        List<Node> nodes = new ArrayList<>();
        Node root = new Node();
        nodes.add(root);
        for (int id = 0; id < vocabSize; id++) {
            byte[] bytes = tokenizer.tokenBytes(id);
            if (bytes.length == 0) {
                continue; // control tokens: no text, never part of a JSON value
            }
            Node n = root;
            for (byte b : bytes) {
                n = n.child(b & 0xFF);
            }
            n.tokens.add(id);
        }
        List<Node> order = new ArrayList<>();
        order.add(root);
        for (int i = 0; i < order.size(); i++) {
            Node n = order.get(i);
            n.index = i;
            for (Node c : n.children) {
                if (c != null) {
                    order.add(c);
                }
            }
        }
        int count = order.size();
        childStart = new int[count + 1];
        tokenStart = new int[count + 1];
        int edges = 0;
        int toks = 0;
        for (Node n : order) {
            for (Node c : n.children) {
                edges += c != null ? 1 : 0;
            }
            toks += n.tokens.size();
        }
        label = new byte[edges];
        target = new int[edges];
        tokens = new int[toks];
        int e = 0;
        int t = 0;
        for (int i = 0; i < count; i++) {
            Node n = order.get(i);
            childStart[i] = e;
            for (int b = 0; b < 256; b++) {
                Node c = n.children[b];
                if (c != null) {
                    label[e] = (byte) b;
                    target[e++] = c.index;
                }
            }
            tokenStart[i] = t;
            for (int id : n.tokens) {
                tokens[t++] = id;
            }
        }
        childStart[count] = e;
        tokenStart[count] = t;
    }

    int[] endTokens() {
        return endTokens;
    }

    int vocabSize() {
        return vocabSize;
    }

    /** Marks in {@code allowed} every token whose whole text {@code state} accepts. */
    void allowed(JsonMatcher state, boolean[] allowed) {
        walk(0, state, allowed);
    }

    private void walk(int node, JsonMatcher state, boolean[] allowed) {
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

    private static final class Node {
        final Node[] children = new Node[256];
        final List<Integer> tokens = new ArrayList<>(1);
        int index;

        Node child(int b) {
            Node c = children[b];
            if (c == null) {
                c = new Node();
                children[b] = c;
            }
            return c;
        }
    }

    @Override
    public String toString() {
        return "TokenTrie[" + (childStart.length - 1) + " nodes, " + Arrays.stream(tokenStart).max().orElse(0)
                + " tokens]";
    }
}
