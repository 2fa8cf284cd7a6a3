package dev.fovea.engine.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One case of {@code cases.json} with its llama.cpp reference outputs. */
public record ConformanceCase(String kind, String model, String mmproj, String image, String prompt, String suffix,
                              String expected, JsonNode reference) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** All cases of the given kind ({@code llm} or {@code vlm}). */
    public static List<ConformanceCase> all(String kind) {
        try {
            JsonNode root = JSON.readTree(Conformance.file("cases.json").toFile());
            List<ConformanceCase> out = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                if (!c.get("kind").asText().equals(kind)) {
                    continue;
                }
                String expected = c.get("expected").asText();
                JsonNode ref = JSON.readTree(Conformance.file(expected + ".json").toFile());
                out.add(new ConformanceCase(kind, c.get("model").asText(), text(c, "mmproj"), text(c, "image"),
                        c.get("prompt").asText(), text(c, "suffix"), expected, ref));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(JsonNode n, String field) {
        return n.has(field) ? n.get(field).asText() : null;
    }

    public Path modelPath() {
        return Conformance.file(model);
    }

    public Path mmprojPath() {
        return mmproj == null ? null : Conformance.file(mmproj);
    }

    public Path imagePath() {
        return image == null ? null : Conformance.file(image);
    }

    public boolean quantized() {
        return !model.contains("f32");
    }

    public int[] ints(String field) {
        JsonNode a = reference.get(field);
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    public double[] doubles(String field) {
        JsonNode a = reference.get(field);
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }

    /** A scalar integer field of the reference (e.g. {@code n_image_pos}). */
    public int intField(String field) {
        return reference.get(field).asInt();
    }

    public int nVocab() {
        return reference.get("n_vocab").asInt();
    }

    /** A little-endian float32 file {@code expected + suffix}. */
    public float[] floats(String suffix) {
        try {
            byte[] b = Files.readAllBytes(Conformance.file(expected + suffix));
            float[] f = new float[b.length / 4];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return expected.substring(expected.lastIndexOf('/') + 1);
    }
}
