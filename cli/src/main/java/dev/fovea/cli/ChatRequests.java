package dev.fovea.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;

/**
 * Chat-completion requests in the gateway's OpenAI format for one image and one question, laid out as the local
 * path's prompt is (the image, a line break, the question), and the answer text of a completion.
 */
final class ChatRequests {
    private ChatRequests() {
    }

    /** A greedy request for {@code model} with the image file as a data URL. */
    static ObjectNode imageQuestion(String model, Path image, String question, int maxTokens) throws IOException {
        byte[] bytes = ImageFiles.read(image);
        ObjectNode r = Json.mapper().createObjectNode();
        r.put("model", model);
        ObjectNode message = r.putArray("messages").addObject();
        message.put("role", "user");
        ArrayNode content = message.putArray("content");
        ObjectNode img = content.addObject();
        img.put("type", "image_url");
        img.putObject("image_url").put("url", "data:" + mediaType(bytes) + ";base64,"
                + Base64.getEncoder().encodeToString(bytes));
        ObjectNode text = content.addObject();
        text.put("type", "text");
        text.put("text", "\n" + question);
        r.put("max_tokens", maxTokens);
        r.put("temperature", 0);
        return r;
    }

    /** The generated text of a {@code chat.completion}. */
    static String answer(JsonNode completion) {
        JsonNode content = completion.path("choices").path(0).path("message").path("content");
        if (!content.isTextual()) {
            throw new IllegalStateException("a completion without choices[0].message.content: "
                    + abbreviate(completion.toString()));
        }
        return content.asText();
    }

    static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }

    /** The media type a data URL needs, from the file's first bytes; the gateway decodes by content anyway. */
    private static String mediaType(byte[] b) {
        if (b.length > 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8) {
            return "image/jpeg";
        }
        if (b.length > 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E') {
            return "image/webp";
        }
        if (b.length > 3 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F') {
            return "image/gif";
        }
        if (b.length > 2 && b[0] == 'B' && b[1] == 'M') {
            return "image/bmp";
        }
        return "image/png";
    }
}
