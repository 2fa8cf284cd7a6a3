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

    /** All cases of the given kind ({@code llm} or {@code vlm}) of the main {@code cases.json}. */
    public static List<ConformanceCase> all(String kind) {
        return all(kind, "");
    }

    /**
     * All cases of the given kind of the {@code cases.json} in the fixtures' sub-folder {@code folder} ("" for
     * the main one, e.g. "quant-types"); its paths are relative to that folder.
     */
    public static List<ConformanceCase> all(String kind, String folder) {
        String prefix = folder.isEmpty() ? "" : folder + "/";
        try {
            JsonNode root = JSON.readTree(Conformance.file(prefix + "cases.json").toFile());
            List<ConformanceCase> out = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                if (!c.get("kind").asText().equals(kind)) {
                    continue;
                }
                String expected = prefix + c.get("expected").asText();
                JsonNode ref = JSON.readTree(Conformance.file(expected + ".json").toFile());
                out.add(new ConformanceCase(kind, prefix + c.get("model").asText(), prefixed(prefix, c, "mmproj"),
                        prefixed(prefix, c, "image"), c.get("prompt").asText(), text(c, "suffix"), expected, ref));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String prefixed(String prefix, JsonNode n, String field) {
        return n.has(field) ? prefix + n.get(field).asText() : null;
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
