package dev.fovea.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code fovea up --pipeline FILE} runs: one model id served by an LLM GGUF, optional vision encoders
 * (mmproj files, one encoder service each) and the adapter that maps their features into the LLM. Paths are
 * relative to the file's folder.
 *
 * <pre>
 * model: llava-1.5-7b
 * llm: llava-v1.5-7b-Q4_K_M.gguf
 * encoders:
 *   - name: clip
 *     mmproj: mmproj-model-f16.gguf
 * adapter:
 *   id: llava-mlp
 *   file: mmproj-model-f16.gguf
 * tiling: none
 * </pre>
 */
record StackFile(String model, String llm, List<Encoder> encoders, Adapter adapter, String tiling) {

    record Encoder(String name, String mmproj) {
    }

    record Adapter(String id, String file) {
    }

    StackFile {
        if (model == null || model.isBlank() || llm == null || llm.isBlank()) {
            throw new IllegalArgumentException("a pipeline file needs 'model' and 'llm'");
        }
        encoders = encoders == null ? List.of() : List.copyOf(encoders);
        if (!encoders.isEmpty() && (adapter == null || adapter.id() == null || adapter.file() == null)) {
            throw new IllegalArgumentException("pipeline '" + model + "' has encoders but no adapter (id, file)");
        }
        for (Encoder e : encoders) {
            if (e.name() == null || e.name().isBlank() || e.name().contains("+") || e.mmproj() == null) {
                throw new IllegalArgumentException("every encoder needs a name (without '+') and an mmproj file");
            }
        }
        tiling = tiling == null ? "none" : tiling;
    }

    static StackFile read(Path file) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        StackFile s = yaml.readValue(file.toFile(), StackFile.class);
        Path dir = file.toAbsolutePath().getParent();
        return s.resolvedAgainst(dir);
    }

    /** The same stack with every path made absolute against {@code dir}. */
    StackFile resolvedAgainst(Path dir) {
        List<Encoder> enc = encoders.stream().map(e -> new Encoder(e.name(), abs(dir, e.mmproj()))).toList();
        Adapter ad = adapter == null ? null : new Adapter(adapter.id(), abs(dir, adapter.file()));
        return new StackFile(model, abs(dir, llm), enc, ad, tiling);
    }

    private static String abs(Path dir, String p) {
        return dir.resolve(p).toAbsolutePath().normalize().toString();
    }

    void checkFilesExist() throws IOException {
        check(llm);
        for (Encoder e : encoders) {
            check(e.mmproj());
        }
        if (adapter != null) {
            check(adapter.file());
        }
    }

    private static void check(String p) throws IOException {
        if (!Files.isRegularFile(Path.of(p))) {
            throw new java.nio.file.NoSuchFileException(p);
        }
    }
}
