package dev.fovea.engine.template;

import java.util.List;

/**
 * One chat turn: a role ({@code system}, {@code user}, {@code assistant}, ...) and its content, text and images
 * interleaved in order.
 */
public record ChatMessage(String role, List<Part> parts) {

    public ChatMessage {
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("a chat message needs a role");
        }
        parts = List.copyOf(parts);
        for (Part p : parts) {
            if (p instanceof Text(String text) && text.contains(ChatTemplate.IMAGE_MARKER)) {
                // the marker in text would become an image slot the caller never supplied
                throw new IllegalArgumentException("message text must not contain the image marker "
                        + ChatTemplate.IMAGE_MARKER);
            }
        }
    }

    /** A piece of message content. */
    public sealed interface Part permits Text, Image {
    }

    public record Text(String text) implements Part {
        public Text {
            if (text == null) {
                throw new IllegalArgumentException("text part is null");
            }
        }
    }

    /**
     * An image; {@code index} says which of the caller's images it is (the caller's numbering, e.g. the order of
     * images in the request).
     */
    public record Image(int index) implements Part {
        public Image {
            if (index < 0) {
                throw new IllegalArgumentException("image index " + index + " is negative");
            }
        }
    }

    /** A message of plain text. */
    public static ChatMessage text(String role, String text) {
        return new ChatMessage(role, List.of(new Text(text)));
    }

    /** The content as templates see it: the text with {@link ChatTemplate#IMAGE_MARKER} where each image goes. */
    public String content() {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            switch (p) {
                case Text t -> sb.append(t.text());
                case Image i -> sb.append(ChatTemplate.IMAGE_MARKER);
            }
        }
        return sb.toString();
    }
}
