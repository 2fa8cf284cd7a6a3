package dev.fovea.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufKeys;
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
 *
 * plus, optionally, {@code template} (a chat template in Jinja, used instead of the LLM's own) and
 * {@code anyres_layout} (with {@code tiling: anyres}). Any other key is an error naming it.
 */
record StackFile(String model, String llm, List<Encoder> encoders, Adapter adapter, String tiling, String template,
                 @JsonProperty("anyres_layout") String anyresLayout) {
    static final List<String> KEYS = List.of("model", "llm", "encoders", "adapter", "tiling", "template",
            "anyres_layout");

    StackFile(String model, String llm, List<Encoder> encoders, Adapter adapter, String tiling) {
        this(model, llm, encoders, adapter, tiling, null, null);
    }

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
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        StackFile s;
        try {
            s = yaml.readValue(file.toFile(), StackFile.class);
        } catch (UnrecognizedPropertyException e) {
            String where = e.getPath().size() > 1 ? " in '" + e.getPath().get(0).getFieldName() + "'" : "";
            throw new IllegalArgumentException("pipeline file " + file + ": unknown key '" + e.getPropertyName() + "'"
                    + where + " (known: " + (where.isEmpty() ? String.join(", ", KEYS)
                    : String.join(", ", e.getKnownPropertyIds().stream().map(Object::toString).sorted().toList()))
                    + ")");
        }
        if (s == null) {
            throw new IllegalArgumentException("pipeline file " + file + " is empty");
        }
        Path dir = file.toAbsolutePath().getParent();
        return s.resolvedAgainst(dir);
    }

    /**
     * The stack for a downloaded pair of files, derived from their metadata: the model id from {@code name} (else the
     * LLM's {@code general.name}, else its file name), one encoder and the adapter from the mmproj (its
     * {@code clip.projector_type} names the adapter), AnyRes tiling when the mmproj carries LLaVA-1.6's grid
     * pinpoints. A file given in the other's place is an error saying so.
     */
    static StackFile fromModelFiles(Path llm, Path mmproj, String name) throws IOException {
        String id = name;
        try (GgufFile f = GgufFile.open(llm)) {
            if (GgufKeys.CLIP_ARCHITECTURE.equals(f.getString(GgufKeys.ARCHITECTURE, ""))) {
                throw new IllegalArgumentException(llm + " is an mmproj file (vision encoder + projector): pass it as"
                        + " --mmproj, and the LLM GGUF as -m");
            }
            if (id == null) {
                id = modelId(f.getString("general.name", ""), llm);
            }
        }
        if (mmproj == null) {
            return new StackFile(id, llm.toAbsolutePath().toString(), List.of(), null, "none");
        }
        try (GgufFile f = GgufFile.open(mmproj)) {
            String arch = f.getString(GgufKeys.ARCHITECTURE, "");
            if (!arch.isEmpty() && !GgufKeys.CLIP_ARCHITECTURE.equals(arch)) {
                throw new IllegalArgumentException(mmproj + " is a language model (general.architecture = " + arch
                        + "), not an mmproj: pass it as -m, and the vision encoder + projector GGUF as --mmproj");
            }
            String projector = f.getString(GgufKeys.PROJECTOR_TYPE, "mlp");
            String tiling = f.has(GgufKeys.VISION_IMAGE_GRID_PINPOINTS) ? "anyres" : "none";
            String file = mmproj.toAbsolutePath().toString();
            return new StackFile(id, llm.toAbsolutePath().toString(), List.of(new Encoder("vision", file)),
                    new Adapter(id + "-" + projector.replaceAll("[^A-Za-z0-9_.-]", "_"), file), tiling);
        }
    }

    /** A model id from the file's general.name or, without one, its file name: lower case, '-' for spaces. */
    static String modelId(String generalName, Path file) {
        String base = generalName.isBlank() ? file.getFileName().toString().replaceFirst("(?i)\\.gguf$", "")
                : generalName;
        String id = base.strip().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_.-]+", "-")
                .replaceAll("^-+|-+$", "");
        return id.isEmpty() ? "model" : id;
    }

    /** The same stack with every path made absolute against {@code dir}. */
    StackFile resolvedAgainst(Path dir) {
        List<Encoder> enc = encoders.stream().map(e -> new Encoder(e.name(), abs(dir, e.mmproj()))).toList();
        Adapter ad = adapter == null ? null : new Adapter(adapter.id(), abs(dir, adapter.file()));
        return new StackFile(model, abs(dir, llm), enc, ad, tiling, template, anyresLayout);
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
