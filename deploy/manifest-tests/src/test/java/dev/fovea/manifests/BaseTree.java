package dev.fovea.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Reads deploy/k8s/base straight from its files, without kubectl, so the checks always run: follows each
 * kustomization.yaml's {@code resources} (files and directories), builds its {@code configMapGenerator} maps
 * (files and literals; no hash suffix, names as written) and applies {@code namespace}. Nothing else of
 * kustomize is needed by the base (a test fails if it starts using more).
 */
final class BaseTree {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final List<String> KNOWN = List.of("apiVersion", "kind", "namespace", "labels", "resources",
            "configMapGenerator");

    private BaseTree() {
    }

    static Manifests load(Path dir) {
        return load(dir, (file, text) -> text);
    }

    /** {@code edit} may rewrite a file's text before it is read (path relative to deploy/k8s); the tests break files with it. */
    static Manifests load(Path dir, BiFunction<String, String, String> edit) {
        return new Manifests(Repo.root().relativize(dir).toString(), read(dir, edit));
    }

    private static List<HasMetadata> read(Path dir, BiFunction<String, String, String> edit) {
        Path file = dir.resolve("kustomization.yaml");
        JsonNode k;
        try {
            k = YAML.readTree(text(file, edit));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        k.fieldNames().forEachRemaining(f -> {
            if (!KNOWN.contains(f)) {
                throw new IllegalStateException(file + ": '" + f + "' is beyond what BaseTree understands");
            }
        });
        List<HasMetadata> out = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(read(p, edit));
            } else {
                out.addAll(ManifestLoader.parse(text(p, edit), p.toString()));
            }
        }
        for (JsonNode g : k.path("configMapGenerator")) {
            Map<String, String> data = new LinkedHashMap<>();
            for (JsonNode f : g.path("files")) {
                String spec = f.asText();
                int eq = spec.indexOf('=');
                String key = eq < 0 ? Path.of(spec).getFileName().toString() : spec.substring(0, eq);
                data.put(key, text(dir.resolve(eq < 0 ? spec : spec.substring(eq + 1)), edit));
            }
            for (JsonNode l : g.path("literals")) {
                String spec = l.asText();
                int eq = spec.indexOf('=');
                data.put(spec.substring(0, eq), spec.substring(eq + 1));
            }
            out.add(new ConfigMapBuilder().withNewMetadata().withName(g.path("name").asText()).endMetadata()
                    .withData(data).build());
        }
        String namespace = k.path("namespace").asText(null);
        if (namespace != null) {
            for (HasMetadata r : out) {
                if (!(r instanceof Namespace)) {
                    r.getMetadata().setNamespace(namespace);
                }
            }
        }
        return out;
    }

    private static String text(Path file, BiFunction<String, String, String> edit) {
        try {
            return edit.apply(Repo.k8s().relativize(file).toString(), Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }
}
