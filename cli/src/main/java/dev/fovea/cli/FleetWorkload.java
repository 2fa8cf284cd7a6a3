package dev.fovea.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.shapesworld.Categories;
import dev.fovea.shapesworld.Picture;
import dev.fovea.shapesworld.QuestionAnswer;
import dev.fovea.shapesworld.ShapesWorld;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * What {@code fovea bench fleet} replays: conversations, each about one image, one question per turn. Recorded as
 * JSONL, one conversation a line:
 *
 * <pre>
 * {"id": "c0", "image": "data:image/png;base64,...", "questions": ["What color is the star?", "How many ..."]}
 * </pre>
 *
 * where {@code image} is a data URL or a file path (relative to the JSONL file's folder).
 */
record FleetWorkload(List<Conversation> conversations) {
    static final int MAX_CONVERSATIONS = 1_000_000;
    static final int MAX_TURNS = 64;

    record Conversation(String id, String image, List<String> questions) {
        Conversation {
            questions = List.copyOf(questions);
        }
    }

    FleetWorkload {
        conversations = List.copyOf(conversations);
    }

    /**
     * {@code conversations} conversations of {@code turns} turns over {@code images} generated ShapesWorld
     * pictures: every picture is used equally often (±1), in an order and with questions drawn from {@code seed}.
     */
    static FleetWorkload generate(long seed, int conversations, int turns, int images) {
        if (conversations < 1 || conversations > MAX_CONVERSATIONS) {
            throw new IllegalArgumentException("--conversations must be 1 to " + MAX_CONVERSATIONS + ", got "
                    + conversations);
        }
        if (turns < 1 || turns > MAX_TURNS) {
            throw new IllegalArgumentException("--turns must be 1 to " + MAX_TURNS + ", got " + turns);
        }
        if (images < 1 || images > conversations) {
            throw new IllegalArgumentException("--images must be 1 to --conversations (" + conversations + "), got "
                    + images);
        }
        ShapesWorld world = new ShapesWorld(seed);
        List<String> urls = new ArrayList<>();
        List<List<String>> asked = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            Picture p = world.nextPicture();
            urls.add(dataUrl(p.image()));
            // captions are long free text: the questions are what a chat asks about a picture
            List<String> qs = p.questions().stream().filter(q -> !q.category().equals(Categories.CAPTION))
                    .map(QuestionAnswer::question).toList();
            asked.add(qs.isEmpty() ? p.questions().stream().map(QuestionAnswer::question).toList() : qs);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < conversations; c++) {
            order.add(c % images);
        }
        shuffle(order, rng);
        List<Conversation> out = new ArrayList<>();
        for (int c = 0; c < conversations; c++) {
            int picture = order.get(c);
            List<String> pool = new ArrayList<>(asked.get(picture));
            shuffle(pool, rng);
            List<String> questions = new ArrayList<>();
            for (int t = 0; t < turns; t++) {
                questions.add(pool.get(t % pool.size())); // a picture with fewer questions asks one again
            }
            out.add(new Conversation("c" + c, urls.get(picture), questions));
        }
        return new FleetWorkload(out);
    }

    /** Reads a recorded workload; a bad line is an error naming the file and the line. */
    static FleetWorkload read(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Conversation> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = file + " line " + (i + 1);
            JsonNode n;
            try {
                n = Json.mapper().readTree(line);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(where + ": not JSON (" + e.getOriginalMessage() + ")");
            }
            JsonNode image = n.path("image");
            JsonNode qs = n.path("questions");
            if (!image.isTextual() || image.asText().isBlank() || !qs.isArray() || qs.isEmpty()
                    || qs.size() > MAX_TURNS) {
                throw new IllegalArgumentException(where + ": needs \"image\" (a data URL or file path) and "
                        + "\"questions\" (1 to " + MAX_TURNS + " strings)");
            }
            List<String> questions = new ArrayList<>();
            for (JsonNode q : qs) {
                if (!q.isTextual()) {
                    throw new IllegalArgumentException(where + ": every question must be a string, got " + q);
                }
                questions.add(q.asText());
            }
            String url = image.asText().startsWith("data:") ? image.asText() : fileUrl(dir.resolve(image.asText()));
            out.add(new Conversation(n.path("id").asText("c" + out.size()), url, questions));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no conversations");
        }
        return new FleetWorkload(out);
    }

    void write(Path file) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Conversation c : conversations) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("id", c.id());
            line.put("image", c.image());
            line.put("questions", c.questions());
            b.append(Json.write(line)).append('\n');
        }
        Files.writeString(file, b, StandardCharsets.UTF_8);
    }

    /** Requests the workload makes: one per turn. */
    int requests() {
        return conversations.stream().mapToInt(c -> c.questions().size()).sum();
    }

    int distinctImages() {
        return new HashSet<>(conversations.stream().map(Conversation::image).toList()).size();
    }

    int maxTurns() {
        return conversations.stream().mapToInt(c -> c.questions().size()).max().orElse(0);
    }

    private static <T> void shuffle(List<T> list, SplittableRandom rng) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    private static String dataUrl(BufferedImage image) {
        try {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(image, "png", png);
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String fileUrl(Path image) throws IOException {
        String name = image.getFileName().toString().toLowerCase(Locale.ROOT);
        String type = name.endsWith(".jpg") || name.endsWith(".jpeg") ? "jpeg"
                : name.endsWith(".webp") ? "webp" : name.endsWith(".gif") ? "gif" : name.endsWith(".bmp") ? "bmp" : "png";
        return "data:image/" + type + ";base64," + Base64.getEncoder().encodeToString(ImageFiles.read(image));
    }
}
