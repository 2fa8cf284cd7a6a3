package dev.fovea.engine.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import jinjava.javax.el.ELContext;

/**
 * Python's {@code str} methods that Hugging Face chat templates call ({@code strip}, {@code startswith},
 * {@code split}, {@code join}, ...), which Jinjava, resolving methods on Java objects, does not know. Placed before
 * Jinjava's own resolver; anything else is left to it.
 */
final class PythonStringMethods extends PassThroughResolver {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof CharSequence cs) || !(method instanceof String name)) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        Object result = call(cs.toString(), name, args);
        if (result != NOT_HANDLED) {
            context.setPropertyResolved(true);
            return result;
        }
        return null;
    }

    private static final Object NOT_HANDLED = new Object();

    private static Object call(String s, String name, Object[] a) {
        return switch (name) {
            case "strip" -> a.length == 0 || a[0] == null ? s.strip() : stripChars(s, str(a[0]), true, true);
            case "lstrip" -> a.length == 0 || a[0] == null ? s.stripLeading() : stripChars(s, str(a[0]), true, false);
            case "rstrip" -> a.length == 0 || a[0] == null ? s.stripTrailing() : stripChars(s, str(a[0]), false, true);
            case "startswith" -> anyAffix(s, arity(name, a, 1), true);
            case "endswith" -> anyAffix(s, arity(name, a, 1), false);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "split" -> split(s, a.length > 0 ? a[0] : null, a.length > 1 ? toInt(a[1]) : -1);
            case "splitlines" -> splitLines(s);
            case "replace" -> replace(s, str(arity(name, a, 2)), str(a[1]), a.length > 2 ? toInt(a[2]) : -1);
            case "join" -> join(s, arity(name, a, 1));
            case "find" -> s.indexOf(str(arity(name, a, 1)));
            case "count" -> count(s, str(arity(name, a, 1)));
            case "isspace" -> !s.isEmpty() && s.isBlank();
            case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            default -> NOT_HANDLED;
        };
    }

    /** The first argument, after checking at least {@code n} were given. */
    private static Object arity(String name, Object[] a, int n) {
        if (a.length < n) {
            throw new IllegalArgumentException("str." + name + "() takes at least " + n + " argument(s)");
        }
        return a[0];
    }

    private static String str(Object o) {
        if (o == null) {
            throw new IllegalArgumentException("expected a string, got none");
        }
        return o.toString();
    }

    private static int toInt(Object o) {
        if (o instanceof Number n) {
            return n.intValue();
        }
        throw new IllegalArgumentException("expected an integer, got " + o);
    }

    private static String stripChars(String s, String chars, boolean left, boolean right) {
        int from = 0;
        int to = s.length();
        while (left && from < to && chars.indexOf(s.charAt(from)) >= 0) {
            from++;
        }
        while (right && to > from && chars.indexOf(s.charAt(to - 1)) >= 0) {
            to--;
        }
        return s.substring(from, to);
    }

    /** Python accepts one affix or a tuple of them. */
    private static boolean anyAffix(String s, Object affix, boolean prefix) {
        if (affix instanceof Iterable<?> many) {
            for (Object o : many) {
                if (prefix ? s.startsWith(str(o)) : s.endsWith(str(o))) {
                    return true;
                }
            }
            return false;
        }
        return prefix ? s.startsWith(str(affix)) : s.endsWith(str(affix));
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean inWord = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(inWord ? Character.toLowerCase(c) : Character.toUpperCase(c));
            inWord = Character.isLetter(c);
        }
        return sb.toString();
    }

    private static List<String> split(String s, Object sep, int maxSplit) {
        List<String> out = new ArrayList<>();
        if (sep == null) {
            // no separator: runs of whitespace, and no empty strings
            String rest = s.stripLeading();
            while (!rest.isEmpty()) {
                var m = WHITESPACE.matcher(rest);
                if (out.size() == maxSplit || !m.find()) {
                    out.add(rest); // the last field keeps its inner and trailing whitespace
                    break;
                }
                out.add(rest.substring(0, m.start()));
                rest = rest.substring(m.end());
            }
            return out;
        }
        String d = str(sep);
        if (d.isEmpty()) {
            throw new IllegalArgumentException("str.split(): empty separator");
        }
        int from = 0;
        while (maxSplit < 0 || out.size() < maxSplit) {
            int at = s.indexOf(d, from);
            if (at < 0) {
                break;
            }
            out.add(s.substring(from, at));
            from = at + d.length();
        }
        out.add(s.substring(from));
        return out;
    }

    /** Lines without their breaks; a final break does not start another (empty) line. */
    private static List<String> splitLines(String s) {
        if (s.isEmpty()) {
            return List.of();
        }
        List<String> lines = new ArrayList<>(List.of(s.split("\\r\\n|\\r|\\n", -1)));
        if (s.endsWith("\n") || s.endsWith("\r")) {
            lines.removeLast();
        }
        return lines;
    }

    private static String replace(String s, String old, String with, int count) {
        if (count < 0) {
            return s.replace(old, with);
        }
        StringBuilder sb = new StringBuilder();
        int from = 0;
        for (int n = 0; n < count; n++) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            sb.append(s, from, at).append(with);
            from = at + old.length();
            if (old.isEmpty()) {
                if (from >= s.length()) {
                    break;
                }
                sb.append(s.charAt(from++));
            }
        }
        return sb.append(s.substring(Math.min(from, s.length()))).toString();
    }

    private static String join(String sep, Object items) {
        if (!(items instanceof Iterable<?> it)) {
            throw new IllegalArgumentException("str.join() needs a list, got " + items);
        }
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (Object o : it) {
            if (!first) {
                sb.append(sep);
            }
            sb.append(str(o));
            first = false;
        }
        return sb.toString();
    }

    private static int count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1;
        }
        int n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }
}
