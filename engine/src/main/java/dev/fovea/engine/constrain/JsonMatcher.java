package dev.fovea.engine.constrain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where a JSON text is against a {@link JsonSchema}, byte by byte: an immutable pushdown automaton whose stack is a
 * linked list of frames (object, array, string, number, literal), so that trying a byte on a state costs one small
 * allocation at most and the state before it stays usable (the token trie walk tries every branch from one state).
 * Whitespace is allowed between tokens of the JSON text, at most {@link #MAX_WHITESPACE} bytes in a row, and not
 * after the value: a finished value leaves only the end of generation.
 */
final class JsonMatcher {
    static final int MAX_WHITESPACE = 12;
    /** Nesting limit for schemas that allow any value (json_object), so a model cannot open brackets forever. */
    static final int MAX_DEPTH = 48;
    static final int MAX_NUMBER_LENGTH = 24;
    /** Integer digits at most: 15 stay exact in the doubles JavaScript and many JSON parsers read numbers into. */
    static final int MAX_INTEGER_DIGITS = 15;

    private final Frame top;
    private final JsonMatcher below;
    private final int whitespace;
    private final int depth;

    private JsonMatcher(Frame top, JsonMatcher below, int whitespace) {
        this.top = top;
        this.below = below;
        this.whitespace = whitespace;
        this.depth = below == null ? 1 : below.depth + 1;
    }

    static JsonMatcher start(JsonSchema schema) {
        return new JsonMatcher(new Root(schema, false), null, 0);
    }

    /** The state after byte {@code b} ({@code 0..255}), or null when no text matching the schema continues so. */
    JsonMatcher advance(int b) {
        JsonMatcher s = this;
        while (s != null) {
            Frame f = s.top;
            if ((b == ' ' || b == '\n' || b == '\t' || b == '\r') && f.allowsWhitespace()) {
                return s.whitespace >= MAX_WHITESPACE ? null : new JsonMatcher(f, s.below, s.whitespace + 1);
            }
            Transition t = f.step(b);
            if (t == null) {
                return null;
            }
            if (t == Transition.STAY) {
                return s.whitespace == 0 ? s : new JsonMatcher(f, s.below, 0);
            }
            JsonMatcher base = s.below;
            if (t.replace != null) {
                base = new JsonMatcher(t.replace, base, 0);
            }
            if (t.push != null) {
                if (base != null && base.depth >= MAX_DEPTH) {
                    return null;
                }
                base = new JsonMatcher(t.push, base, 0);
            }
            if (t.consumed) {
                return base;
            }
            s = base;
        }
        return null;
    }

    /** Whether the text so far is a whole value of the schema (numbers may still go on). */
    boolean canEnd() {
        for (JsonMatcher s = this; s != null; s = s.below) {
            if (s.top instanceof Root r) {
                return r.done;
            }
            if (!s.top.canEndWithoutInput()) {
                return false;
            }
        }
        return false;
    }

    /**
     * Inside a string of any length, between escapes: the UTF-8 state ({@link #utf8}) that alone decides which bytes
     * other than a quote, a backslash or a control byte may follow; -1 anywhere else. Lets the token trie take the
     * many tokens made of such bytes from a table instead of walking them.
     */
    int freeStringUtf8State() {
        return top instanceof StringFrame f && f.phase >= 0 && f.phase < StringFrame.CONTENT.length ? f.phase : -1;
    }

    /** Whether the value is finished and nothing but the end can follow. */
    boolean isDone() {
        return top instanceof Root r && r.done;
    }

    // ---- frames -------------------------------------------------------------------------------------------------

    /**
     * The frame's answer to a byte: replace it (or pop it, when {@code replace} is null), push a child on top, and
     * whether the byte was used up (if not, the new top sees it too).
     */
    private record Transition(Frame replace, Frame push, boolean consumed) {
        /** Consumed, frame unchanged: the common case inside strings, free of allocation. */
        static final Transition STAY = new Transition(null, null, true);
        static final Transition POP = new Transition(null, null, true);
        static final Transition POP_UNCONSUMED = new Transition(null, null, false);

        static Transition to(Frame next) {
            return new Transition(next, null, true);
        }
    }

    private abstract static class Frame {
        abstract Transition step(int b);

        boolean allowsWhitespace() {
            return false;
        }

        boolean canEndWithoutInput() {
            return false;
        }
    }

    /** The first frame of a value: chooses the frame by the schema and, where the schema allows several, the byte. */
    private static Frame value(JsonSchema schema) {
        return switch (schema) {
            case JsonSchema.Object o -> new ObjectFrame(o, ObjectFrame.OPEN, null, -1, "");
            case JsonSchema.Array a -> new ArrayFrame(a, ArrayFrame.OPEN, 0);
            case JsonSchema.Str s -> s.equals(JsonSchema.Str.ANY) ? StringFrame.OPEN
                    : new BoundedStringFrame(s.minLength(), s.maxLength(), -1, 0);
            case JsonSchema.Num n -> new NumberFrame(n.integer(), NumberFrame.START, 0);
            case JsonSchema.Literal l -> new LiteralFrame(l.texts(), "");
            case JsonSchema.Any a -> new Dispatch(schema);
            case JsonSchema.AnyOf o -> new Dispatch(schema);
            case JsonSchema.Ref r -> new Dispatch(schema);
        };
    }

    private static final class Dispatch extends Frame {
        private static final JsonSchema.Object ANY_OBJECT =
                new JsonSchema.Object(Map.of(), java.util.Set.of(), new JsonSchema.Any());
        private static final JsonSchema.Array ANY_ARRAY =
                new JsonSchema.Array(new JsonSchema.Any(), 0, Integer.MAX_VALUE);
        private static final JsonSchema.Literal KEYWORDS = new JsonSchema.Literal(List.of("true", "false", "null"));
        private final JsonSchema schema;

        Dispatch(JsonSchema schema) {
            this.schema = schema;
        }

        @Override
        Transition step(int b) {
            JsonSchema chosen = choose(schema, b);
            if (chosen == null) {
                return null;
            }
            if (chosen instanceof JsonSchema.AnyOf several) {
                // alternatives the first byte does not tell apart (several objects): follow them all at once
                List<JsonMatcher> alive = new ArrayList<>();
                for (JsonSchema alt : several.alternatives()) {
                    alive.add(JsonMatcher.start(alt));
                }
                return new Transition(new UnionFrame(alive), null, false);
            }
            return new Transition(value(chosen), null, false);
        }

        private static JsonSchema choose(JsonSchema s, int b) {
            return switch (s) {
                case JsonSchema.Ref r -> choose(r.target().get(), b);
                case JsonSchema.Any a -> switch (b) {
                    case '{' -> ANY_OBJECT;
                    case '[' -> ANY_ARRAY;
                    case '"' -> JsonSchema.Str.ANY;
                    case 't', 'f', 'n' -> KEYWORDS;
                    default -> b == '-' || b >= '0' && b <= '9' ? new JsonSchema.Num(false) : null;
                };
                case JsonSchema.AnyOf any -> {
                    List<JsonSchema> fits = new ArrayList<>();
                    for (JsonSchema alt : any.alternatives()) {
                        if (choose(alt, b) != null) {
                            fits.add(alt);
                        }
                    }
                    yield fits.isEmpty() ? null : fits.size() == 1 ? choose(fits.get(0), b)
                            : new JsonSchema.AnyOf(fits);
                }
                case JsonSchema.Object o -> b == '{' ? o : null;
                case JsonSchema.Array a -> b == '[' ? a : null;
                case JsonSchema.Str t -> b == '"' ? t : null;
                case JsonSchema.Num n -> b == '-' || b >= '0' && b <= '9' ? n : null;
                case JsonSchema.Literal l -> {
                    for (String t : l.texts()) {
                        if ((t.charAt(0) & 0xFF) == b) {
                            yield l;
                        }
                    }
                    yield null;
                }
            };
        }
    }

    /**
     * A value of any of several schemas that start alike: each alternative runs as a matcher of its own; the value
     * ends as soon as one of them has a whole value (objects, arrays, strings and literals end on a byte of their
     * own) or, for numbers, when the next byte continues none of them.
     */
    private static final class UnionFrame extends Frame {
        private final List<JsonMatcher> alive;

        UnionFrame(List<JsonMatcher> alive) {
            this.alive = alive;
        }

        @Override
        boolean canEndWithoutInput() {
            for (JsonMatcher m : alive) {
                if (m.canEnd()) {
                    return true;
                }
            }
            return false;
        }

        @Override
        Transition step(int b) {
            List<JsonMatcher> next = new ArrayList<>(alive.size());
            for (JsonMatcher m : alive) {
                JsonMatcher n = m.advance(b);
                if (n != null) {
                    if (n.isDone()) {
                        return Transition.POP;
                    }
                    next.add(n);
                }
            }
            if (next.isEmpty()) {
                return canEndWithoutInput() ? Transition.POP_UNCONSUMED : null;
            }
            return Transition.to(new UnionFrame(next));
        }
    }

    private static final class Root extends Frame {
        private final JsonSchema schema;
        private final boolean done;

        Root(JsonSchema schema, boolean done) {
            this.schema = schema;
            this.done = done;
        }

        @Override
        Transition step(int b) {
            return done ? null : new Transition(new Root(schema, true), value(schema), false);
        }

        @Override
        boolean allowsWhitespace() {
            return !done;
        }
    }

    private static final class ObjectFrame extends Frame {
        static final int OPEN = 0;
        static final int FIRST = 1;
        static final int KEY = 2;
        static final int COLON = 3;
        static final int VALUE = 4;
        static final int AFTER = 5;
        static final int NEXT = 6;
        private final JsonSchema.Object schema;
        private final int phase;
        /** Declared keys already written (fixed-key objects); null before the first. */
        private final boolean[] seen;
        /** The key whose value comes next (index into the declared keys), or -1. */
        private final int current;
        private final String keyPrefix;
        private final String[] names;

        ObjectFrame(JsonSchema.Object schema, int phase, boolean[] seen, int current, String keyPrefix) {
            this(schema, phase, seen, current, keyPrefix, schema.properties().keySet().toArray(String[]::new));
        }

        private ObjectFrame(JsonSchema.Object schema, int phase, boolean[] seen, int current, String keyPrefix,
                            String[] names) {
            this.schema = schema;
            this.phase = phase;
            this.seen = seen;
            this.current = current;
            this.keyPrefix = keyPrefix;
            this.names = names;
        }

        private ObjectFrame with(int newPhase, boolean[] newSeen, int newCurrent, String prefix) {
            return new ObjectFrame(schema, newPhase, newSeen, newCurrent, prefix, names);
        }

        private boolean fixedKeys() {
            return names.length > 0;
        }

        private boolean unseen(int i) {
            return seen == null || !seen[i];
        }

        private boolean anyKeyLeft() {
            if (!fixedKeys()) {
                return schema.additional() != null;
            }
            for (int i = 0; i < names.length; i++) {
                if (unseen(i)) {
                    return true;
                }
            }
            return false;
        }

        private boolean requiredDone() {
            for (int i = 0; i < names.length; i++) {
                if (unseen(i) && schema.required().contains(names[i])) {
                    return false;
                }
            }
            return true;
        }

        @Override
        boolean allowsWhitespace() {
            return phase != OPEN && phase != KEY;
        }

        @Override
        Transition step(int b) {
            switch (phase) {
                case OPEN:
                    return b == '{' ? Transition.to(with(FIRST, seen, -1, "")) : null;
                case FIRST:
                case NEXT:
                    if (b == '}' && phase == FIRST && requiredDone()) {
                        return Transition.POP;
                    }
                    if (b != '"' || !anyKeyLeft()) {
                        return null;
                    }
                    if (fixedKeys()) {
                        return Transition.to(with(KEY, seen, -1, ""));
                    }
                    return new Transition(with(COLON, seen, -1, ""), StringFrame.OPEN, false);
                case KEY: {
                    if (b == '"') {
                        for (int i = 0; i < names.length; i++) {
                            if (unseen(i) && names[i].equals(keyPrefix)) {
                                return Transition.to(with(COLON, seen, i, ""));
                            }
                        }
                        return null;
                    }
                    String p = keyPrefix + (char) b;
                    for (int i = 0; i < names.length; i++) {
                        if (unseen(i) && names[i].startsWith(p)) {
                            return Transition.to(with(KEY, seen, -1, p));
                        }
                    }
                    return null;
                }
                case COLON:
                    return b == ':' ? Transition.to(with(VALUE, seen, current, "")) : null;
                case VALUE: {
                    JsonSchema valueSchema;
                    boolean[] nextSeen = seen;
                    if (current >= 0) {
                        valueSchema = schema.properties().get(names[current]);
                        nextSeen = seen == null ? new boolean[names.length] : seen.clone();
                        nextSeen[current] = true;
                    } else {
                        valueSchema = schema.additional();
                    }
                    return new Transition(with(AFTER, nextSeen, -1, ""), value(valueSchema), false);
                }
                case AFTER:
                    if (b == ',') {
                        return anyKeyLeft() ? Transition.to(with(NEXT, seen, -1, "")) : null;
                    }
                    return b == '}' && requiredDone() ? Transition.POP : null;
                default:
                    throw new IllegalStateException("object phase " + phase);
            }
        }
    }

    private static final class ArrayFrame extends Frame {
        static final int OPEN = 0;
        static final int FIRST = 1;
        static final int AFTER = 2;
        static final int NEXT = 3;
        private final JsonSchema.Array schema;
        private final int phase;
        private final int count;

        ArrayFrame(JsonSchema.Array schema, int phase, int count) {
            this.schema = schema;
            this.phase = phase;
            this.count = count;
        }

        @Override
        boolean allowsWhitespace() {
            return phase != OPEN;
        }

        @Override
        Transition step(int b) {
            switch (phase) {
                case OPEN:
                    return b == '[' ? Transition.to(new ArrayFrame(schema, FIRST, 0)) : null;
                case FIRST:
                case NEXT:
                    if (b == ']' && phase == FIRST) {
                        return schema.minItems() == 0 ? Transition.POP : null;
                    }
                    if (count >= schema.maxItems()) {
                        return null;
                    }
                    return new Transition(new ArrayFrame(schema, AFTER, count + 1), value(schema.items()), false);
                case AFTER:
                    if (b == ',') {
                        return count < schema.maxItems() ? Transition.to(new ArrayFrame(schema, NEXT, count)) : null;
                    }
                    return b == ']' && count >= schema.minItems() ? Transition.POP : null;
                default:
                    throw new IllegalStateException("array phase " + phase);
            }
        }
    }

    /**
     * UTF-8 inside strings, byte by byte (a byte-fallback token is one byte of a character): {@code state} 0 is a
     * character boundary, otherwise the continuation bytes still due, with the narrower ranges that rule out
     * overlong forms and surrogates. Returns the next state, or -1 for a byte that cannot come here.
     */
    static int utf8(int state, int b) {
        return switch (state) {
            case 0 -> b < 0x80 ? 0 : b >= 0xC2 && b <= 0xDF ? 1 : b == 0xE0 ? 4 : b == 0xED ? 5
                    : b >= 0xE1 && b <= 0xEF ? 2 : b == 0xF0 ? 6 : b == 0xF4 ? 7 : b >= 0xF1 && b <= 0xF3 ? 3 : -1;
            case 1, 2, 3 -> b >= 0x80 && b <= 0xBF ? state - 1 : -1;
            case 4 -> b >= 0xA0 && b <= 0xBF ? 1 : -1;
            case 5 -> b >= 0x80 && b <= 0x9F ? 1 : -1;
            case 6 -> b >= 0x90 && b <= 0xBF ? 2 : -1;
            case 7 -> b >= 0x80 && b <= 0x8F ? 2 : -1;
            default -> -1;
        };
    }

    /** A JSON string of any length; its frames carry only their phase, so each is one shared instance. */
    private static final class StringFrame extends Frame {
        static final StringFrame OPEN = new StringFrame(-1);
        /** CONTENT[u]: inside the text, u continuation bytes of a UTF-8 character due ({@link #utf8} states). */
        static final StringFrame[] CONTENT = new StringFrame[8];
        static final StringFrame ESCAPE = new StringFrame(100);
        /** {@code \}{@code u} then 4 hex digits: HEX[i] waits for digit i. */
        static final StringFrame[] HEX = {new StringFrame(102), new StringFrame(103), new StringFrame(104),
                new StringFrame(105)};

        static {
            for (int u = 0; u < CONTENT.length; u++) {
                CONTENT[u] = new StringFrame(u);
            }
        }

        private final int phase;

        private StringFrame(int phase) {
            this.phase = phase;
        }

        @Override
        Transition step(int b) {
            if (phase == -1) {
                return b == '"' ? Transition.to(CONTENT[0]) : null;
            }
            if (phase < 100) {
                if (phase == 0) {
                    if (b == '"') {
                        return Transition.POP;
                    }
                    if (b == '\\') {
                        return Transition.to(ESCAPE);
                    }
                    if (b < 0x20) {
                        return null;
                    }
                }
                int next = utf8(phase, b);
                return next < 0 ? null : next == phase ? Transition.STAY : Transition.to(CONTENT[next]);
            }
            if (phase == 100) {
                return switch (b) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> Transition.to(CONTENT[0]);
                    case 'u' -> Transition.to(HEX[0]);
                    default -> null;
                };
            }
            boolean hex = b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F';
            if (!hex) {
                return null;
            }
            return Transition.to(phase == 105 ? CONTENT[0] : HEX[phase - 101]);
        }
    }

    /**
     * A string with a length range: counts characters (a UTF-8 character or an escape is one), refuses a character
     * past {@code max} and the closing quote before {@code min}.
     */
    private static final class BoundedStringFrame extends Frame {
        private final int min;
        private final int max;
        /** -1 before the opening quote, 0..7 content ({@link #utf8} states), 100 after a backslash, 102..105 hex. */
        private final int phase;
        private final int count;

        BoundedStringFrame(int min, int max, int phase, int count) {
            this.min = min;
            this.max = max;
            this.phase = phase;
            this.count = count;
        }

        private Transition to(int nextPhase, int nextCount) {
            return Transition.to(new BoundedStringFrame(min, max, nextPhase, nextCount));
        }

        @Override
        Transition step(int b) {
            if (phase == -1) {
                return b == '"' ? to(0, 0) : null;
            }
            if (phase < 100) {
                if (phase == 0) {
                    if (b == '"') {
                        return count >= min ? Transition.POP : null;
                    }
                    if (b < 0x20 || count >= max) {
                        return null;
                    }
                    if (b == '\\') {
                        return to(100, count + 1);
                    }
                }
                int next = utf8(phase, b);
                // a character counts at its first byte
                return next < 0 ? null : to(next, phase == 0 ? count + 1 : count);
            }
            if (phase == 100) {
                return switch (b) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> to(0, count);
                    case 'u' -> to(102, count);
                    default -> null;
                };
            }
            boolean hex = b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F';
            return hex ? to(phase == 105 ? 0 : phase + 1, count) : null;
        }
    }

    /** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, integers without fraction and exponent. */
    private static final class NumberFrame extends Frame {
        static final int START = 0;
        static final int MINUS = 1;
        static final int ZERO = 2;
        static final int INT = 3;
        static final int DOT = 4;
        static final int FRACTION = 5;
        static final int E = 6;
        static final int E_SIGN = 7;
        static final int EXPONENT = 8;
        private final boolean integer;
        private final int phase;
        private final int length;
        private final boolean negative;

        NumberFrame(boolean integer, int phase, int length) {
            this(integer, phase, length, false);
        }

        private NumberFrame(boolean integer, int phase, int length, boolean negative) {
            this.integer = integer;
            this.phase = phase;
            this.length = length;
            this.negative = negative;
        }

        @Override
        boolean canEndWithoutInput() {
            return phase == ZERO || phase == INT || phase == FRACTION || phase == EXPONENT;
        }

        private Transition to(int next) {
            return length + 1 > MAX_NUMBER_LENGTH ? null
                    : Transition.to(new NumberFrame(integer, next, length + 1, negative || next == MINUS));
        }

        @Override
        Transition step(int b) {
            boolean digit = b >= '0' && b <= '9';
            switch (phase) {
                case START:
                    if (b == '-') {
                        return to(MINUS);
                    }
                    // fall through
                case MINUS:
                    return b == '0' ? to(ZERO) : digit ? to(INT) : null;
                case INT:
                    if (digit) {
                        // length counts the sign too; the integer part has length (minus the sign) digits
                        int digits = length - (negative ? 1 : 0);
                        return digits >= MAX_INTEGER_DIGITS ? null : to(INT);
                    }
                    // fall through
                case ZERO:
                    if (!integer && b == '.') {
                        return to(DOT);
                    }
                    if (!integer && (b == 'e' || b == 'E')) {
                        return to(E);
                    }
                    return Transition.POP_UNCONSUMED;
                case DOT:
                    return digit ? to(FRACTION) : null;
                case FRACTION:
                    if (digit) {
                        return to(FRACTION);
                    }
                    return b == 'e' || b == 'E' ? to(E) : Transition.POP_UNCONSUMED;
                case E:
                    return b == '+' || b == '-' ? to(E_SIGN) : digit ? to(EXPONENT) : null;
                case E_SIGN:
                    return digit ? to(EXPONENT) : null;
                case EXPONENT:
                    return digit ? to(EXPONENT) : Transition.POP_UNCONSUMED;
                default:
                    throw new IllegalStateException("number phase " + phase);
            }
        }
    }

    /** One of fixed texts; a text that is a prefix of another (enum 1 and 12) ends when the next byte leaves both. */
    private static final class LiteralFrame extends Frame {
        private final List<String> texts;
        private final String prefix;

        LiteralFrame(List<String> texts, String prefix) {
            this.texts = texts;
            this.prefix = prefix;
        }

        @Override
        boolean canEndWithoutInput() {
            return texts.contains(prefix);
        }

        @Override
        Transition step(int b) {
            String p = prefix + (char) b;
            List<String> matching = new ArrayList<>(2);
            for (String t : texts) {
                if (t.startsWith(p)) {
                    matching.add(t);
                }
            }
            if (matching.isEmpty()) {
                return texts.contains(prefix) ? Transition.POP_UNCONSUMED : null;
            }
            if (matching.size() == 1 && matching.get(0).length() == p.length()) {
                return Transition.POP;
            }
            return Transition.to(new LiteralFrame(matching, p));
        }
    }
}
