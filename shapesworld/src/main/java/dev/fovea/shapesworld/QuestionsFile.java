package dev.fovea.shapesworld;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A test set's {@code questions.jsonl}: one JSON object per line with {@code id}, {@code image}, {@code question},
 * {@code answer} and {@code category}. Reading is lenient where a hand-made file may differ (numbers for strings,
 * blank lines, extra fields, a missing id or category) and strict where it matters (an image outside the folder
 * or missing, a line that is not an object).
 */
final class QuestionsFile {
    static final String NAME = "questions.jsonl";
    /** The category of a line that names none. */
    static final String UNCATEGORIZED = "uncategorized";

    private static final ObjectMapper JSON = new ObjectMapper();

    private QuestionsFile() {
    }

    static void write(Path dir, List<TestQuestion> questions) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(NAME), StandardCharsets.UTF_8)) {
            for (TestQuestion q : questions) {
                ObjectNode line = JSON.createObjectNode();
                line.put("id", q.id());
                line.put("image", q.image());
                line.put("question", q.question());
                line.put("answer", q.answer());
                line.put("category", q.category());
                w.write(JSON.writeValueAsString(line));
                w.write('\n');
            }
        }
    }

    static List<TestQuestion> read(Path dir) throws IOException {
        Path file = dir.resolve(NAME);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "a test-set folder needs " + NAME);
        }
        Path root = dir.toAbsolutePath().normalize();
        List<TestQuestion> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = r.readLine()) != null) {
                number++;
                if (!line.isBlank()) {
                    out.add(parse(line, number, file, root));
                }
            }
        }
        if (out.isEmpty()) {
            throw new IOException(file + " holds no questions");
        }
        return out;
    }

    private static TestQuestion parse(String line, int number, Path file, Path root) throws IOException {
        String where = file + " line " + number;
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IOException(where + ": not JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new IOException(where + ": not a JSON object");
        }
        String image = text(node, "image", where, null);
        Path imageFile = root.resolve(image).normalize();
        if (!imageFile.startsWith(root) || imageFile.equals(root)) {
            throw new IOException(where + ": image '" + image + "' lies outside the folder");
        }
        if (!Files.isRegularFile(imageFile)) {
            throw new IOException(where + ": no image file '" + image + "' in " + root);
        }
        return new TestQuestion(text(node, "id", where, "line-" + number), image, text(node, "question", where, null),
                text(node, "answer", where, null), text(node, "category", where, UNCATEGORIZED));
    }

    /** A field as text (numbers and booleans as written); {@code absent} when missing, or an error if that is null. */
    private static String text(JsonNode node, String field, String where, String absent) throws IOException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (absent == null) {
                throw new IOException(where + ": no '" + field + "'");
            }
            return absent;
        }
        if (!v.isValueNode()) {
            throw new IOException(where + ": '" + field + "' is not a string");
        }
        return v.asText();
    }
}
