package dev.fovea.gateway;

import java.util.regex.Pattern;

/**
 * Keeps Java's own names out of what clients read: a backend's status description is relayed to the client, and
 * a backend that failed unexpectedly may have put an exception's class name in it. The full text goes to the log.
 */
public final class InternalNames {
    /** A qualified class name (java.lang.String, io.grpc.StatusRuntimeException), with an optional message colon. */
    private static final Pattern QUALIFIED = Pattern.compile(
            "\\b(?:java|javax|jakarta|sun|jdk|com\\.fasterxml|com\\.google|org\\.apache|org\\.jboss|io\\.grpc|io\\.vertx"
                    + "|io\\.netty|io\\.quarkus|io\\.smallrye|dev\\.fovea)\\.(?:[A-Za-z_$][A-Za-z0-9_$]*\\.)*"
                    + "[A-Za-z_$][A-Za-z0-9_$]*:?\\s*");
    /** A bare exception or error class name (NegativeArraySizeException, OutOfMemoryError). */
    private static final Pattern BARE = Pattern.compile("\\b[A-Z][A-Za-z0-9]*(?:Exception|Error)\\b:?\\s*");

    private InternalNames() {
    }

    public static String scrub(String text) {
        if (text == null) {
            return "";
        }
        String s = BARE.matcher(QUALIFIED.matcher(text).replaceAll("")).replaceAll("").trim();
        return s.isEmpty() ? "unexpected failure" : s;
    }
}
