package dev.fovea.engine.template;

import java.util.List;

/**
 * One chat turn: a role ({@code system}, {@code user}, {@code assistant}, …) and its content in order, text and
 * images interleaved.
 */
public record ChatMessage(String role, List<Part> parts) {

    public ChatMessage {
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("a chat message needs a role");
        }
        parts = List.copyOf(parts);
    }

    /** A piece of message content. */
    public sealed interface Part {
    }

    public record Text(String text) implements Part {
    }

    /** The {@code index}-th image of the request (its embeddings replace the marker after rendering). */
    public record Image(int index) implements Part {
    }

    public static ChatMessage text(String role, String text) {
        return new ChatMessage(role, List.of(new Text(text)));
    }

    /** The content as the template sees it: text with {@link ChatTemplate#IMAGE_MARKER} where images go. */
    String content() {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            switch (p) {
                case Text t -> sb.append(t.text());
                case Image i -> sb.append(ChatTemplate.IMAGE_MARKER);
            }
        }
        return sb.toString();
    }

    int imageCount() {
        return (int) parts.stream().filter(p -> p instanceof Image).count();
    }
}
